using System.CommandLine;
using System.Text.RegularExpressions;
using EdgeMl.Fleet.Review;
using EdgeMl.Fleet.Security;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>inspector add</c>: accounts for the review station.</summary>
internal static partial class InspectorCommands
{
    public static Command Create()
    {
        var inspector = new Command("inspector", "Inspector accounts for the review station (/review)");
        var database = new LocalDatabase();
        var name = new Argument<string>("name") { Description = "Login name: letters, digits, '.', '_' or '-'" };
        var fromStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of generating one" };
        var add = database.With(new Command("add", "Add an inspector; prints a generated password once unless --password-stdin") { name, fromStdin });
        add.SetAction(async (result, cancellationToken) =>
        {
            var login = result.GetRequiredValue(name);
            if (!LoginName().IsMatch(login) || login == ReviewSessions.Admin)
            {
                await Console.Error.WriteLineAsync($"error: '{login}' is not a usable name: 1 to 64 of letters, digits, '.', '_', '-', and not 'admin'");
                return 2;
            }

            var generated = !result.GetValue(fromStdin);
            var password = generated ? Secrets.NewToken(18) : (await Console.In.ReadLineAsync(cancellationToken))?.Trim() ?? "";
            if (password.Length < 12)
            {
                await Console.Error.WriteLineAsync("error: the password must have at least 12 characters");
                return 2;
            }

            var stores = await database.OpenAsync(result, cancellationToken);
            await using (stores.Database)
            {
                if (!await stores.Inspectors.AddAsync(login, InspectorPasswords.Hash(password), DateTimeOffset.UtcNow, cancellationToken))
                {
                    await Console.Error.WriteLineAsync($"error: inspector '{login}' exists already");
                    return 1;
                }
            }

            await Console.Out.WriteLineAsync(generated
                ? $"inspector {login} added; password (shown once): {password}"
                : $"inspector {login} added");
            return 0;
        });
        inspector.Subcommands.Add(add);
        return inspector;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex LoginName();
}
