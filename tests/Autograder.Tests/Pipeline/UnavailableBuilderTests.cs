using Autograder.Pipeline;
using Autograder.Submissions;

namespace Autograder.Tests.Pipeline;

public class UnavailableBuilderTests
{
    [Test]
    public void A_language_the_machine_cannot_sandbox_is_the_graders_gap_with_the_sources_kept()
    {
        var dir = Directory.CreateTempSubdirectory("ag-unavailable-").FullName;
        try
        {
            var file = Path.Combine(dir, "MyRng.cs");
            File.WriteAllText(file, "static class D { }\n");
            var submission = new Submission { Id = "d", Language = Language.CSharp, RelativePath = "MyRng.cs", Files = [file] };

            using var build = new UnavailableBuilder("no sandbox launcher: apt-get install gcc").Build(submission);

            Assert.That(build.GraderGap, Is.EqualTo("no sandbox launcher: apt-get install gcc"));
            Assert.That(build.CreateHost, Is.Null, "nothing of the student's may run");
            Assert.That(build.Sources.Select(s => s.Path), Is.EqualTo(new[] { "MyRng.cs" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
