using EdgeMl.Agent.Sync;
using EdgeMl.Agent.Tests.Infrastructure;
using EdgeMl.Protos.Fleet;

namespace EdgeMl.Agent.Tests.Sync;

public sealed class DataDirectoryCleanerTests : IDisposable
{
    private readonly TempDirectory _data = new();

    [Fact]
    public void Removes_abandoned_downloads_staging_folders_and_unused_versions_and_keeps_what_is_wanted()
    {
        var wanted = new ModelRef { Name = "crack-detector", Version = "v3", BundleSha256 = "0123456789abcdef0123" };
        var resumable = Touch("downloads", BundleDownloader.Stem(wanted) + ".partial");
        var abandoned = Touch("downloads", "crack-detector-v9-fedcba9876543210.partial");
        var unpacked = Touch("downloads", "crack-detector-v8-fedcba9876543210.bundle");
        var staging = Touch("models/crack-detector/v3.staging", "model.onnx");
        var active = Touch("models/crack-detector/v2", "model.onnx");
        var previous = Touch("models/crack-detector/v1", "model.onnx");
        var unused = Touch("models/crack-detector/v0", "model.onnx");

        DataDirectoryCleaner.Clean(_data.Path, [new InstalledModel("crack-detector", "v2", 2), new InstalledModel("crack-detector", "v1", 1)], [wanted]);

        Assert.True(File.Exists(resumable));
        Assert.True(File.Exists(active));
        Assert.True(File.Exists(previous));
        Assert.False(File.Exists(abandoned));
        Assert.False(File.Exists(unpacked));
        Assert.False(File.Exists(staging));
        Assert.False(File.Exists(unused));
    }

    [Fact]
    public void Cleans_a_data_directory_that_has_no_downloads_or_models_yet()
    {
        DataDirectoryCleaner.Clean(_data.Path, [], []);

        Assert.Empty(Directory.GetFileSystemEntries(_data.Path));
    }

    public void Dispose() => _data.Dispose();

    private string Touch(string folder, string name)
    {
        var directory = Directory.CreateDirectory(Path.Combine(_data.Path, folder)).FullName;
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, "x");
        return path;
    }
}
