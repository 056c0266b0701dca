using System.Net;
using Autograder.Tests.Cli;

namespace Autograder.Tests.Review;

/// <summary>The server as an operator runs it: a child process, killed with SIGKILL right after a save returned.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ReviewProcessTests
{
    [Test]
    public async Task A_save_that_returned_survives_kill_9_and_a_restart()
    {
        var dir = ReviewFixture.NewFolder();
        var results = Path.Combine(dir, "results.json");
        try
        {
            using (var server = ReviewProcess.Start(results))
            {
                Assert.That(server.Output, Does.Contain(Path.Combine(dir, "review.db")), "review.db next to the results by default");
                Assert.That(server.Url.Host, Is.EqualTo("127.0.0.1"));
                await SignIn(server, "Ann");
                var page = await server.Client.GetStringAsync("/submissions/bob.html");
                using (var forged = await server.Client.PostAsync("/save", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["submission"] = "bob", ["target"] = "dmesg", ["version"] = "0", ["points"] = "5",
                })))
                {
                    Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "a form without the anti-forgery token");
                }

                using var save = await server.Client.PostAsync("/save", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__antiforgery"] = ReviewFixture.Antiforgery(page),
                    ["submission"] = "bob",
                    ["target"] = "dmesg",
                    ["version"] = "0",
                    ["points"] = "3",
                    ["comment"] = "kill test",
                }));
                Assert.That(save.StatusCode, Is.EqualTo(HttpStatusCode.OK), "saved, then redirected to the page");
                Assert.That(await save.Content.ReadAsStringAsync(), Does.Contain("Points set by an instructor (was 0): kill test"));
                server.KillHard();
            }

            using (var again = ReviewProcess.Start(results))
            {
                await SignIn(again, "Zoë O'Brien");
                Assert.That(await again.Client.GetStringAsync("/overrides.csv"), Is.EqualTo("id,check,points,comment\nbob,dmesg,3,kill test\n"));
                Assert.That(await again.Client.GetStringAsync("/submissions/bob.html"), Does.Contain("saved by Ann at"));
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Without_the_token_the_server_answers_403()
    {
        var dir = ReviewFixture.NewFolder();
        try
        {
            using var server = ReviewProcess.Start(Path.Combine(dir, "results.json"), "--listen", "127.0.0.1:0");
            using var response = server.Client.GetAsync("/overrides.csv").GetAwaiter().GetResult();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void A_foreign_database_is_refused_with_exit_2_and_left_untouched()
    {
        var dir = ReviewFixture.NewFolder();
        try
        {
            var db = Path.Combine(dir, "grades.db");
            File.WriteAllText(db, "not a database");
            var outcome = CliHarness.Run("review", Path.Combine(dir, "results.json"), "--db", db);
            Assert.That(outcome.ExitCode, Is.EqualTo(2));
            Assert.That(outcome.Error, Does.Contain("(not an SQLite file)"));
            Assert.That(File.ReadAllText(db), Is.EqualTo("not a database"));

            var report = CliHarness.Run("report", Path.Combine(dir, "results.json"), "--review", db, "--out", Path.Combine(dir, "out"));
            Assert.That(report.ExitCode, Is.EqualTo(2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void An_address_in_use_is_exit_2()
    {
        var dir = ReviewFixture.NewFolder();
        var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((IPEndPoint)taken.LocalEndpoint).Port;
            var outcome = CliHarness.Run("review", Path.Combine(dir, "results.json"), "--listen", $"127.0.0.1:{port}");
            Assert.That(outcome.ExitCode, Is.EqualTo(2), outcome.Error);
            Assert.That(outcome.Error, Does.Contain($"cannot listen on 127.0.0.1:{port}"));
        }
        finally
        {
            taken.Stop();
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestCase("review", "--listen", "8080")]
    [TestCase("review", "--listen", "localhost:8080")]
    [TestCase("report", "--overrides", "results.json", "--review", "results.json")]
    public void Bad_options_are_exit_2(params string[] args)
    {
        var dir = ReviewFixture.NewFolder();
        try
        {
            var full = args.Select(a => a == "results.json" ? Path.Combine(dir, a) : a).ToList();
            full.Insert(1, Path.Combine(dir, "results.json"));
            Assert.That(CliHarness.Run([.. full]).ExitCode, Is.EqualTo(2));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task SignIn(ReviewProcess server, string name)
    {
        var ask = await server.Client.GetStringAsync(server.Url);
        Assert.That(ask, Does.Contain("Who is reviewing?"));
        using var response = await server.Client.PostAsync("/reviewer", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__antiforgery"] = ReviewFixture.Antiforgery(ask),
            ["name"] = name,
            ["return"] = "/",
        }));
        var encoded = System.Text.Encodings.Web.HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All).Encode(name);
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain($"Reviewing as <strong>{encoded}</strong>"), "the name survives the cookie");
    }
}
