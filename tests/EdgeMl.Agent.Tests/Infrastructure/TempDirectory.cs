namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>A fresh folder removed when the test ends.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "edgeml-test-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies a model package here so a test can break it without touching the real one.</summary>
    public string CopyPackage(string version, string name = "package")
    {
        var target = File(name);
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(Repo.Package(version)))
        {
            System.IO.File.Copy(file, System.IO.Path.Combine(target, System.IO.Path.GetFileName(file)));
        }

        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A process under test may still hold a file for a moment; the OS temp cleaner takes it.
        }
    }
}
