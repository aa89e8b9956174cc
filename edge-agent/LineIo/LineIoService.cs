using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace EdgeMl.Agent.LineIo;

/// <summary>Opens the line's pins when the agent starts, so a missing chip or a busy pin stops the start instead of the first part.</summary>
internal sealed class LineIoService(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            services.GetRequiredService<PartRouter>();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
        {
            throw new InvalidOperationException($"line I/O could not open its GPIO pins ({e.Message}); check LineIo:Chip and the pin numbers, and that the agent may use /dev/gpiochip*", e);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
