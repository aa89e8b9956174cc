using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Messaging;

/// <summary>Reports every problem of the <c>Mqtt</c> section at once, at start.</summary>
internal sealed class MqttOptionsValidator : IValidateOptions<MqttOptions>
{
    public ValidateOptionsResult Validate(string? name, MqttOptions options)
    {
        var problems = new List<string>();
        if (options.Broker is not null && BrokerAddress.Parse(options.Broker) is null)
        {
            problems.Add($"Mqtt:Broker '{options.Broker}' is not a URL such as mqtt://fleet:1883 (mqtts:// for TLS)");
        }

        if (options.KeepAlive < TimeSpan.FromSeconds(1) || options.KeepAlive > TimeSpan.FromMinutes(10))
        {
            problems.Add($"Mqtt:KeepAlive {options.KeepAlive} must be between 00:00:01 and 00:10:00");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
