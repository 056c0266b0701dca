namespace Autograder.Tests;

public class Class1
{

}
