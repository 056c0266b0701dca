namespace Autograder.Check;

// CONTRACT STUB (owner: lead).
/// <summary>What a check can do: boot fresh driver instances, read its parameters.</summary>
public sealed class CheckContext
{
}
