using EdgeMl.Protos.Fleet;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace EdgeMl.Fleet.Tests.Infrastructure;

/// <summary>Enrolled test devices that upload cases with a real (tiny) JPEG and PNG heatmap.</summary>
internal static class TestCases
{
    public static readonly byte[] Jpeg = Convert.FromBase64String(
        "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCOiiigD//Z");

    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAYAAADED76LAAAAFUlEQVR4nGP8z8DQwIAHMOGTHD4KAJFQAY8qN4KhAAAAAElFTkSuQmCC");

    /// <summary>Enrols a device with the given tags and returns a case client with its credentials.</summary>
    public const string AgentVersion = "0.9.1-test";

    public static async Task<(CaseService.CaseServiceClient Client, Metadata Credentials, string DeviceId)> EnrolAsync(TestFleet fleet, GrpcChannel channel, params (string Key, string Value)[] tags)
    {
        var request = new EnrolRequest { Token = await fleet.TokenAsync(), AgentVersion = AgentVersion };
        foreach (var (key, value) in tags)
        {
            request.Tags[key] = value;
        }

        var enrolled = await new DeviceService.DeviceServiceClient(channel).EnrolAsync(request);
        var credentials = new Metadata { { "x-edgeml-device", enrolled.DeviceId }, { "authorization", "Bearer " + enrolled.DeviceSecret } };
        return (new CaseService.CaseServiceClient(channel), credentials, enrolled.DeviceId);
    }

    public static CaseUpload Upload(string id, long capturedAtUnixMs, double crack = 0.55, CaseDecision decision = CaseDecision.Escalate, ModelCall call = ModelCall.Reject, string version = "v1") => new()
    {
        CaseId = id,
        CapturedAtUnixMs = capturedAtUnixMs,
        ImageJpeg = ByteString.CopyFrom(Jpeg),
        Heatmap = ByteString.CopyFrom(Png),
        Probabilities = { ["ok"] = 1 - crack, ["crack"] = crack },
        ModelName = "crack-detector",
        ModelVersion = version,
        AutomationLevel = "partial",
        Decision = decision,
        ModelCall = call,
    };
}
