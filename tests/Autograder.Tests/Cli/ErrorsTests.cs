using Autograder.Cli;
using Autograder.Pipeline;

namespace Autograder.Tests.Cli;

public class ErrorsTests
{
    private static (int Code, CapturedConsole Error) Report(Exception e, string? logDirectory = null, bool interrupted = false)
    {
        var output = new CapturedConsole();
        var error = new CapturedConsole();
        var code = Errors.Report(new CliConsoles(output.Console, error.Console, Live: false), e, logDirectory, interrupted);
        Assert.That(output.Text.Trim(), Is.Empty, "errors go to the error console");
        return (code, error);
    }

    [Test]
    public void Operator_errors_are_one_line_and_exit_2()
    {
        var (code, error) = Report(new OperatorException("rubric.yaml line 3: unknown check 'rnad'"));

        Assert.That(code, Is.EqualTo(ExitCodes.OperatorError));
        Assert.That(error.Text.Trim(), Is.EqualTo("error: rubric.yaml line 3: unknown check 'rnad'"));
    }

    [Test]
    public void A_bad_results_file_is_an_operator_error() =>
        Assert.That(Report(new InvalidDataException("results.json: not JSON")).Code, Is.EqualTo(ExitCodes.OperatorError));

    [Test]
    public void Markup_characters_in_messages_are_printed_literally() =>
        Assert.That(Report(new OperatorException("bad [red] thing")).Error.Text, Does.Contain("bad [red] thing"));

    [Test]
    public void A_bug_is_exit_4_with_the_stack_trace_only_in_the_log()
    {
        var dir = Directory.CreateTempSubdirectory("autograder-errors-").FullName;
        try
        {
            Exception bug;
            try
            {
                throw new NullReferenceException("boom");
            }
            catch (NullReferenceException e)
            {
                bug = e;
            }

            var (code, error) = Report(bug, dir);

            Assert.That(code, Is.EqualTo(ExitCodes.GraderFault));
            Assert.That(error.Text, Does.StartWith("internal error (a grader bug): boom"));
            Assert.That(error.Text, Does.Not.Contain(" at "));
            var log = File.ReadAllText(Path.Combine(dir, Errors.LogFileName));
            Assert.That(log, Does.Contain("System.NullReferenceException: boom").And.Contain(nameof(A_bug_is_exit_4_with_the_stack_trace_only_in_the_log)));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void Cancellation_by_the_user_is_130() =>
        Assert.That(Report(new OperationCanceledException(), interrupted: true).Code, Is.EqualTo(ExitCodes.Interrupted));
}
