using System.Globalization;
using System.Text.RegularExpressions;
using Autograder.Load;
using static Autograder.Check.Builtin.Virt101;

namespace Autograder.Check.Builtin;

/// <summary>
/// The rubric's work gate: passes when some ioctl command touches the device or the user's memory, that is
/// when the driver does some of the exercise's work (rightly or not). Checks marked <c>requires-work</c> count
/// only then: the handout's skeleton (init, exit, the loaded message, the -ENOTTY default) satisfies them
/// alone. Not a rubric check itself: the pipeline runs it once per submission, untraced, when a selected
/// check requires work.
/// </summary>
internal sealed partial class WorkGate : ICheck
{
    public const string GateId = "the work probe";

    /// <summary>Feedback of a check held back by the gate.</summary>
    public const string HeldBack = "Counts once your driver implements RAND or SEED: the handout's code alone earns only build.";

    public string Id => GateId;

    public CheckVerdict Run(CheckContext ctx)
    {
        var rand = Rand(ctx);
        var seed = Seed(ctx);
        ctx.PlannedCases = 1;
        var d = ctx.LoadForIoctl();
        d.Traced = false;
        var printed = d.Kernel.Dmesg.SelectMany(l => HexNumber().Matches(l.Text))
            .Select(m => uint.TryParse(m.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v) ? v : 0u)
            .Where(v => v != 0).Take(8);
        var probed = 0;
        foreach (var cmd in new[] { rand, seed }.Concat(printed).Concat(IoctlEncodingCheck.Candidates(rand, seed)).Concat(AnyType()).Distinct())
        {
            probed++;
            var mark = d.Kernel.Trace.Count;
            var call = d.TryIoctl(cmd, Variable(d, 7));
            if (call.Status == CallStatus.HarnessError)
            {
                d.Throw(call, $"ioctl(0x{cmd:x8})");
            }

            // An oops, crash or hang inside a command is code the handout does not have: work, judged elsewhere.
            var touched = call.Status is CallStatus.Oops or CallStatus.Crashed or CallStatus.TimedOut
                || d.Kernel.Trace.Skip(mark).Any(e => e.Kind is "mmio" or "user");
            if (touched)
            {
                ctx.Case("some ioctl command touches the device or the user's memory", true);
                return ctx.Verdict();
            }

            if (d.Instance.Dead)
            {
                break;
            }
        }

        ctx.Case("some ioctl command touches the device or the user's memory", false,
            $"none of {probed} command numbers (0x{rand:x8}, 0x{seed:x8} and others) touched the device or user memory");
        return ctx.Verdict();
    }

    // Every printable magic letter, as a read or a write of 4 or 8 bytes, numbers 0 and 1: a wrong letter is still work.
    private static IEnumerable<uint> AnyType()
    {
        foreach (var type in Enumerable.Range(' ', '~' - ' ' + 1))
        {
            foreach (var dir in new uint[] { 2, 1 })
            {
                foreach (var size in new uint[] { 4, 8 })
                {
                    foreach (var nr in new uint[] { 1, 0 })
                    {
                        yield return (dir << 30) | (size << 16) | ((uint)type << 8) | nr;
                    }
                }
            }
        }
    }

    [GeneratedRegex(@"0x([0-9a-fA-F]{1,8})\b")]
    private static partial Regex HexNumber();
}
