// An instructor's custom check, compiled when the rubric that lists it under `plugins:` loads.
using Autograder.Check;

public sealed class SeedZeroIsOne : ICheck
{
    public string Id => "seed-zero";

    public CheckVerdict Run(CheckContext ctx)
    {
        var d = ctx.LoadForIoctl();
        var v = d.User.Allocate(4, new byte[4]);               // the user's unsigned int, = 0
        d.Ioctl(0x40047101, v);
        var first = d.Device.Peek(1)[0];
        ctx.Case("srand(0) behaves as srand(1)", first == 1804289383, $"next value {first}");
        return ctx.Verdict();
    }
}
