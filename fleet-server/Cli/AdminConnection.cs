using System.CommandLine;
using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Cli;

/// <summary>The flags every admin command shares, the authenticated client they make, and how results print.</summary>
internal sealed class AdminConnection
{
    public Option<string> Server { get; } = new("--server")
    {
        Description = "Fleet server gRPC address",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EDGEML_SERVER") ?? "http://127.0.0.1:7400",
    };

    public Option<string?> Token { get; } = new("--admin-token") { Description = "Admin token (default: EDGEML_ADMIN_TOKEN)" };

    public Option<bool> AsJson { get; } = new("--json") { Description = "Print JSON" };

    public Command With(Command command)
    {
        command.Options.Add(Server);
        command.Options.Add(Token);
        command.Options.Add(AsJson);
        return command;
    }

    /// <summary>Runs an admin call; failures print the server's reason and exit non-zero.</summary>
    public void SetAction(Command command, Func<AdminService.AdminServiceClient, ParseResult, CancellationToken, Task<IMessage>> call, Func<IMessage, string> describe)
    {
        command.SetAction(async (result, cancellationToken) =>
        {
            var token = result.GetValue(Token) ?? Environment.GetEnvironmentVariable("EDGEML_ADMIN_TOKEN");
            if (string.IsNullOrWhiteSpace(token))
            {
                await Console.Error.WriteLineAsync("error: give the admin token with --admin-token or EDGEML_ADMIN_TOKEN (the server wrote it to <data>/admin.token)");
                return 2;
            }

            using var channel = GrpcChannel.ForAddress(result.GetRequiredValue(Server));
            var invoker = channel.Intercept(metadata =>
            {
                metadata.Add("authorization", "Bearer " + token.Trim());
                return metadata;
            });
            try
            {
                var response = await call(new AdminService.AdminServiceClient(invoker), result, cancellationToken);
                await Console.Out.WriteLineAsync(result.GetValue(AsJson) ? ProtoJson.Format(response) : describe(response));
                return 0;
            }
            catch (RpcException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Status.Detail} ({e.StatusCode})");
                return e.StatusCode is StatusCode.Unavailable ? 3 : 1;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                // Paths are the caller's (relative ones against the directory the command was typed in).
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
        });
    }
}
