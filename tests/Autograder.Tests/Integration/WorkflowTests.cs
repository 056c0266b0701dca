using System.Text.RegularExpressions;
using Autograder.Tests.Cli;
using YamlDotNet.RepresentationModel;

namespace Autograder.Tests.Integration;

/// <summary>
/// The README's sharded GitHub Actions workflow, run locally step by step: each matrix job's grade step
/// with the job's environment, the artifact hand-over as download-artifact lays it out, then the merge
/// job's step. What a course copies must produce one complete run.
/// </summary>
[NonParallelizable] // it sets the working directory and AUTOGRADER_SHARD, as the runner does
public partial class WorkflowTests
{
    private const string CliPrefix = "dotnet run --project grader/Autograder.Cli -c Release -- ";

    [Test]
    public void The_readme_workflow_grades_every_shard_and_merges_them_complete()
    {
        var workflow = Workflow();
        var shardJob = (YamlMappingNode)((YamlMappingNode)workflow["jobs"])["shard"];
        var matrix = ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)shardJob["strategy"])["matrix"])["shard"]).Select(n => n.ToString()).ToList();
        var shardEnv = ((YamlMappingNode)shardJob["env"]).Children.ToDictionary(c => c.Key.ToString(), c => c.Value.ToString());
        var gradeStep = CliStep(shardJob, "grade");
        var mergeStep = CliStep((YamlMappingNode)((YamlMappingNode)workflow["jobs"])["merge"], "merge");

        var work = Directory.CreateTempSubdirectory("ag-workflow-").FullName;
        var before = Environment.CurrentDirectory;
        try
        {
            foreach (var example in new[] { "c/reference", "c/seed-offset-0", "csharp/reference" })
            {
                CopyDirectory(Path.Combine(TestPaths.Examples, example), Path.Combine(work, "submissions", example.Replace('/', '-')));
            }
            Environment.CurrentDirectory = work;
            foreach (var shard in matrix)
            {
                foreach (var (name, value) in shardEnv)
                {
                    Environment.SetEnvironmentVariable(name, value.Replace("${{ matrix.shard }}", shard, StringComparison.Ordinal));
                }
                var graded = CliHarness.Run(Arguments(gradeStep));
                Assert.That(graded.ExitCode, Is.EqualTo(0), $"shard {shard}: {graded.Out}{graded.Error}");
                // upload-artifact of shard/results.json, then download-artifact into shards/<artifact name>/.
                var artifact = Path.Combine(work, "shards", $"shard-{shard}");
                Directory.CreateDirectory(artifact);
                File.Move(Path.Combine(work, "shard", "results.json"), Path.Combine(artifact, "results.json"));
            }

            var merged = CliHarness.Run(Arguments(mergeStep));

            Assert.That(merged.ExitCode, Is.EqualTo(0), merged.Out + merged.Error);
            var results = File.ReadAllText(Path.Combine(work, "reports", "results.json"));
            Assert.That(results, Does.Contain("\"complete\": true"));
            foreach (var id in new[] { "c-reference", "c-seed-offset-0", "csharp-reference" })
            {
                Assert.That(results, Does.Contain($"{{\"id\":\"{id}\""));
            }
            Assert.That(File.Exists(Path.Combine(work, "reports", "junit.xml")), Is.True, "the merge job publishes reports/junit.xml");
        }
        finally
        {
            Environment.CurrentDirectory = before;
            foreach (var name in shardEnv.Keys)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
            Directory.Delete(work, recursive: true);
        }
    }

    private static YamlMappingNode Workflow()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var start = readme.IndexOf("```yaml\nname: grade-class\n", StringComparison.Ordinal);
        Assert.That(start, Is.GreaterThanOrEqualTo(0), "README shows the sharded workflow");
        start += "```yaml\n".Length;
        var yaml = new YamlStream();
        yaml.Load(new StringReader(readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)]));
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    /// <summary>The job's run step that calls the grader's command <paramref name="command"/>.</summary>
    private static string CliStep(YamlMappingNode job, string command) =>
        ((YamlSequenceNode)job["steps"]).OfType<YamlMappingNode>()
            .Select(step => step.Children.TryGetValue("run", out var run) ? run.ToString() : "")
            .Single(run => run.StartsWith(CliPrefix + command + " ", StringComparison.Ordinal));

    /// <summary>The grader's arguments, with the shell's globs expanded as bash would (sorted).</summary>
    private static string[] Arguments(string step) =>
        [.. Words().Split(step[CliPrefix.Length..].Trim()).SelectMany(Expand)];

    private static IEnumerable<string> Expand(string word)
    {
        if (!word.Contains('*', StringComparison.Ordinal))
        {
            return [word];
        }
        var parts = word.Split('/');
        var dir = parts[0];
        var file = parts[^1];
        return Directory.EnumerateDirectories(dir).Order(StringComparer.Ordinal)
            .Select(d => Path.Combine(d, file)).Where(File.Exists);
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Words();
}
