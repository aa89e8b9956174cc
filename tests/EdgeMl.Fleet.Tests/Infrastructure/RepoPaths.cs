namespace EdgeMl.Fleet.Tests.Infrastructure;

internal static class RepoPaths
{
    public static string Root { get; } = Find();

    /// <summary>A bundled crack-detector package; EDGEML_TEST_MODELS points the fleet tests at other packages of the same names.</summary>
    public static string Package(string version) =>
        Path.Combine(Environment.GetEnvironmentVariable("EDGEML_TEST_MODELS") ?? Path.Combine(Root, "models", "crack-detector"), version);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeMl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EdgeMl.sln not found above the test output folder");
    }
}
