using EdgeMl.Agent.Outbox;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EdgeMl.Agent.Tests.Outbox;

/// <summary>
/// The child process of the crash test: enqueues messages m-0, m-1, ... as fast as it can,
/// acknowledges every third, and prints each step only after the outbox returned from it, until killed.
/// </summary>
internal static class OutboxWriter
{
    public const string Mode = "outbox-writer";

    public static int Run(string path)
    {
        using var store = new OutboxStore(Options.Create(new OutboxOptions { Path = path }), TimeProvider.System, NullLogger<OutboxStore>.Instance);
        var payload = new byte[512];
        for (var i = 0; ; i++)
        {
            var id = $"m-{i}";
            payload[0] = (byte)i;
            if (store.Enqueue(i % 2 == 0 ? OutboxKind.Telemetry : OutboxKind.Case, id, payload) != OutboxAdmission.Accepted)
            {
                return 1;
            }

            Console.Out.WriteLine($"written {id}");
            if (i % 3 == 0 && store.Acknowledge(id))
            {
                Console.Out.WriteLine($"acknowledged {id}");
            }

            Console.Out.Flush();
        }
    }
}
