using System.CommandLine;
using System.Text.RegularExpressions;
using EdgeMl.Fleet.Security;

namespace EdgeMl.Fleet.Cli;

/// <summary><c>inspector add</c> and <c>admin add</c>: accounts that log in on the HTTP port's login form.</summary>
internal static partial class AccountCommands
{
    public static Command Create(string role)
    {
        var command = role == Account.Admin
            ? new Command("admin", "Admin accounts: the dashboard (/), the review station and the JSON API from a browser")
            : new Command("inspector", "Inspector accounts for the review station (/review)");
        var database = new LocalDatabase();
        var name = new Argument<string>("name") { Description = "Login name: letters, digits, '.', '_' or '-'" };
        var fromStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input instead of generating one" };
        var add = database.With(new Command("add", $"Add an {role}; prints a generated password once unless --password-stdin") { name, fromStdin });
        add.SetAction(async (result, cancellationToken) =>
        {
            var login = result.GetRequiredValue(name);
            if (!LoginName().IsMatch(login) || login == Account.TokenName)
            {
                await Console.Error.WriteLineAsync($"error: '{login}' is not a usable name: 1 to 64 of letters, digits, '.', '_', '-', and not '{Account.TokenName}'");
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
                if (!await stores.Inspectors.AddAsync(new Account(login, role), AccountPasswords.Hash(password), DateTimeOffset.UtcNow, cancellationToken))
                {
                    // Names are shared by both roles: one login form, one session table.
                    await Console.Error.WriteLineAsync($"error: an account '{login}' exists already");
                    return 1;
                }
            }

            await Console.Out.WriteLineAsync(generated
                ? $"{role} {login} added; password (shown once): {password}"
                : $"{role} {login} added");
            return 0;
        });
        command.Subcommands.Add(add);
        return command;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex LoginName();
}
