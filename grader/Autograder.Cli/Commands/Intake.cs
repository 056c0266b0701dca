using Autograder.Submissions;

namespace Autograder.Cli.Commands;

/// <summary>The submissions behind a command's path argument; for an LMS zip, owns the extracted
/// temp folder until disposed (after grading, since the pipeline reads the sources).</summary>
internal sealed class Intake : IDisposable
{
    private readonly ExtractedZip? _zip;

    private Intake(IReadOnlyList<Submission> submissions, ExtractedZip? zip)
    {
        Submissions = submissions;
        _zip = zip;
    }

    public IReadOnlyList<Submission> Submissions { get; }

    /// <summary>Every submission under <paramref name="path"/> (file, folder or zip).</summary>
    public static Intake All(string path)
    {
        if (ZipIntake.IsZip(path) && File.Exists(path))
        {
            var zip = ZipIntake.Extract(path);
            return new Intake(zip.Submissions, zip);
        }
        return new Intake(SubmissionFinder.Find(path), null);
    }

    /// <summary><paramref name="path"/> as exactly one submission (see <see cref="SubmissionFinder.FindOne"/>).</summary>
    public static Intake One(string path, string? id = null)
    {
        if (ZipIntake.IsZip(path) && File.Exists(path))
        {
            var zip = ZipIntake.Extract(path);
            try
            {
                var one = SubmissionFinder.FindOne(zip.Root, id ?? Path.GetFileNameWithoutExtension(path));
                // The zip is the one submission: an entry that could not be extracted is its problem.
                var problems = string.Join("; ", zip.Bad.Select(b => b.Why).Prepend(one.Problem).OfType<string>());
                return new Intake([problems.Length == 0 ? one : one with { Problem = problems }], zip);
            }
            catch
            {
                zip.Dispose();
                throw;
            }
        }
        return new Intake([SubmissionFinder.FindOne(path, id)], null);
    }

    public void Dispose() => _zip?.Dispose();
}
