namespace EdgeMl.Agent.Tests.Infrastructure;

/// <summary>Paths inside the repository the tests run from.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Models => Path.Combine(Root, "models", "crack-detector");

    public static string Package(string version) => Path.Combine(Models, version);

    public static string Generator => Path.Combine(Models, "training", "generate.py");

    private static string FindRoot()
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
