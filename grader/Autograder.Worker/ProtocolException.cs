namespace Autograder.Worker;

/// <summary>The channel to the grader is broken: the worker cannot continue and exits.</summary>
internal sealed class ProtocolException(string message) : Exception(message);
