using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Autograder.Compile;

/// <summary>
/// Driver mistakes Roslyn accepts, found at compile time with the student's file and line. Errors fail the
/// build (the submission's fault): the entry points the worker refuses to load (Autograder.Worker's
/// DriverInstance.Load), judged by the same rules, so a driver that passes them loads. Warnings cost nothing,
/// like gcc's: traps that compile and then misbehave. The ids are listed in Autograder.KernelApi/README.md.
/// </summary>
internal static partial class CSharpDriverRules
{
    /// <summary>No method is marked [module_init].</summary>
    public const string NoInit = "AG0002";

    /// <summary>The [module_init] method is not <c>static int name()</c>.</summary>
    public const string InitSignature = "AG0003";

    /// <summary>The [module_exit] method is not <c>static void name()</c>.</summary>
    public const string ExitSignature = "AG0004";

    /// <summary>More than one [module_init] or [module_exit] method.</summary>
    public const string SecondEntryPoint = "AG0005";

    /// <summary>Warning: an unsigned count (copy_to_user's result) compared below zero.</summary>
    public const string UnsignedBelowZero = "AG0010";

    /// <summary>Warning: a local IoMem hides the field of the same name (which stays null).</summary>
    public const string HiddenMapping = "AG0011";

    /// <summary>Warning: <c>devmem[i]</c>, a direct dereference of the mapping.</summary>
    public const string MappingIndexer = "AG0012";

    /// <summary>Warning: <c>printk(KERN_INFO, "...")</c>, the level as the whole format.</summary>
    public const string LevelAsFormat = "AG0013";

    /// <summary>Warning: a string.Format placeholder (<c>{0:x}</c>) in a printk format.</summary>
    public const string FormatPlaceholder = "AG0014";

    /// <summary>Warning: a static field's initializer reads a static field initialised below it (still 0 then).</summary>
    public const string ReadBeforeInitialized = "AG0015";

    private sealed record Symbols(INamedTypeSymbol Kernel, INamedTypeSymbol ModuleInit, INamedTypeSymbol ModuleExit, INamedTypeSymbol IoMem);

    private sealed record EntryPoint(IMethodSymbol Method, SyntaxNode Node, bool IsLambda);

    /// <summary>
    /// Every finding of the compilation. <paramref name="compiles"/> false (Roslyn reported errors) leaves out
    /// the entry-point errors: a syntax error can hide an attribute, and Roslyn's errors come first.
    /// </summary>
    public static IReadOnlyList<Model.Diagnostic> Check(CSharpCompilation compilation, bool compiles)
    {
        var kernel = compilation.GetTypeByMetadataName("Autograder.KernelApi.Kernel");
        if (kernel?.GetTypeMembers("module_init").FirstOrDefault() is not { } moduleInit
            || kernel.GetTypeMembers("module_exit").FirstOrDefault() is not { } moduleExit
            || kernel.GetTypeMembers("IoMem").FirstOrDefault() is not { } ioMem)
        {
            return [];
        }

        var symbols = new Symbols(kernel, moduleInit, moduleExit, ioMem);
        var found = new List<Model.Diagnostic>();
        var entryPoints = new EntryPoints(symbols);
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree, ignoreAccessibility: false);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                switch (node)
                {
                    case BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax or LambdaExpressionSyntax:
                        entryPoints.Collect(node, model);
                        break;
                    case BinaryExpressionSyntax binary:
                        Add(found, CheckUnsignedBelowZero(binary, model, symbols));
                        break;
                    case VariableDeclaratorSyntax or SingleVariableDesignationSyntax:
                        Add(found, CheckHiddenMapping(node, model, symbols));
                        found.AddRange(CheckInitializationOrder(node, model));
                        break;
                    case ElementAccessExpressionSyntax or ElementBindingExpressionSyntax:
                        Add(found, CheckIndexer(node, model, symbols));
                        break;
                    case InvocationExpressionSyntax invocation:
                        Add(found, CheckFormat(invocation, model, symbols));
                        break;
                }
            }
        }

        if (compiles)
        {
            found.AddRange(CheckEntryPoints(compilation, entryPoints));
        }

        return found;
    }

    private static void Add(List<Model.Diagnostic> found, Model.Diagnostic? d)
    {
        if (d is not null)
        {
            found.Add(d);
        }
    }

    // ---- entry points (errors) ------------------------------------------------------------------

    /// <summary>The methods marked [module_init] and [module_exit], in source order, and unmarked ones named like an init.</summary>
    private sealed class EntryPoints(Symbols symbols)
    {
        private readonly HashSet<IMethodSymbol> _seen = new(SymbolEqualityComparer.Default);

        public List<EntryPoint> Inits { get; } = [];

        public List<EntryPoint> Exits { get; } = [];

        public List<(SyntaxToken Name, IMethodSymbol Method)> InitCandidates { get; } = [];

        public void Collect(SyntaxNode node, SemanticModel model)
        {
            var method = node is LambdaExpressionSyntax
                ? model.GetSymbolInfo(node).Symbol as IMethodSymbol
                : model.GetDeclaredSymbol(node) as IMethodSymbol;
            if (method is null)
            {
                return;
            }

            var attributes = method.GetAttributes();
            var isInit = attributes.Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.ModuleInit));
            var isExit = attributes.Any(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, symbols.ModuleExit));
            // The two halves of a partial method are one method.
            if ((isInit || isExit) && !_seen.Add(method.PartialDefinitionPart ?? method))
            {
                return;
            }

            var entry = new EntryPoint(method, node, node is LambdaExpressionSyntax);
            if (isInit)
            {
                Inits.Add(entry);
            }

            if (isExit)
            {
                Exits.Add(entry);
            }

            if (!isInit && !isExit && node is MethodDeclarationSyntax declared
                && declared.Identifier.ValueText.Contains("init", StringComparison.OrdinalIgnoreCase))
            {
                InitCandidates.Add((declared.Identifier, method));
            }
        }
    }

    private static IEnumerable<Model.Diagnostic> CheckEntryPoints(CSharpCompilation compilation, EntryPoints found)
    {
        var (inits, exits) = (found.Inits, found.Exits);
        if (inits.Count == 0)
        {
            yield return MissingInit(compilation, found.InitCandidates);
        }

        foreach (var (list, which) in new[] { (inits, "module_init"), (exits, "module_exit") })
        {
            foreach (var extra in list.Skip(1))
            {
                var first = list[0];
                yield return Error(SecondEntryPoint, NameLocation(extra.Node),
                    $"a second [{which}] function, {Name(extra)}: a module has exactly one ({Name(first)} at line {Line(first.Node)} is marked [{which}] already)");
            }
        }

        foreach (var init in inits)
        {
            if (SignatureProblems(init, returnsInt: true) is { } why)
            {
                yield return Error(InitSignature, NameLocation(init.Node), $"the [module_init] function must be declared `static int {Name(init)}()`: {why}");
            }
        }

        foreach (var exit in exits)
        {
            if (SignatureProblems(exit, returnsInt: false) is { } why)
            {
                yield return Error(ExitSignature, NameLocation(exit.Node), $"the [module_exit] function must be declared `static void {Name(exit)}()`: {why}");
            }
        }
    }

    private static Model.Diagnostic MissingInit(CSharpCompilation compilation, List<(SyntaxToken Name, IMethodSymbol Method)> candidates)
    {
        // Point at the function the student meant, when one is named like an init function.
        var candidate = candidates.OrderBy(c => c.Method.ReturnType.SpecialType == SpecialType.System_Int32 ? 0 : 1).FirstOrDefault();
        if (candidate.Method is not null)
        {
            var name = candidate.Name.ValueText;
            return Error(NoInit, candidate.Name.GetLocation(),
                $"no function is marked [module_init], so the kernel has nothing to run when the driver loads: mark the init function with [module_init], `[module_init] static int {name}()` (C's module_init({name}))");
        }

        var tree = compilation.SyntaxTrees.First();
        var type = tree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault();
        var location = type is null ? Location.Create(tree, default) : type.Identifier.GetLocation();
        return Error(NoInit, location,
            "no function is marked [module_init], so the kernel has nothing to run when the driver loads: mark the init function with [module_init], `[module_init] static int my_init()` (C's module_init(my_init))");
    }

    /// <summary>What the worker would refuse about this entry point (null: nothing). Mirrors DriverInstance.Load:
    /// static, the right return type (not by reference), no parameters, no generic parameters anywhere.</summary>
    private static string? SignatureProblems(EntryPoint entry, bool returnsInt)
    {
        var method = entry.Method;
        if (entry.IsLambda)
        {
            return "it is a lambda; mark a method";
        }

        var problems = new List<string>();
        if (!method.IsStatic)
        {
            problems.Add("it is not static");
        }

        var expected = returnsInt ? SpecialType.System_Int32 : SpecialType.System_Void;
        if (method.ReturnType.SpecialType != expected || method.RefKind != RefKind.None)
        {
            var display = method.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
            problems.Add(method.RefKind != RefKind.None ? "it returns a reference" : $"it returns {display}");
        }

        if (method.Parameters.Length > 0)
        {
            problems.Add("it takes parameters");
        }

        if (method.IsAbstract)
        {
            problems.Add("it has no body");
        }

        for (ISymbol? s = method; s is not null and not INamespaceSymbol; s = s.ContainingSymbol)
        {
            if (s is IMethodSymbol { IsGenericMethod: true } or INamedTypeSymbol { IsGenericType: true })
            {
                problems.Add(ReferenceEquals(s, method) ? "it is generic" : $"it is inside the generic {s.Name}");
                break;
            }
        }

        return problems.Count == 0 ? null : string.Join(", ", problems);
    }

    private static string Name(EntryPoint entry) => entry.IsLambda ? "a lambda" : entry.Method.Name;

    private static Location NameLocation(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax m => m.Identifier.GetLocation(),
        LocalFunctionStatementSyntax f => f.Identifier.GetLocation(),
        _ => node.GetLocation(),
    };

    private static int Line(SyntaxNode node) => NameLocation(node).GetMappedLineSpan().StartLinePosition.Line + 1;

    // ---- warnings -------------------------------------------------------------------------------

    private static Model.Diagnostic? CheckUnsignedBelowZero(BinaryExpressionSyntax binary, SemanticModel model, Symbols symbols)
    {
        // x < 0 and 0 > x are never true; x >= 0 and 0 <= x always are.
        var (subject, never) = binary.Kind() switch
        {
            SyntaxKind.LessThanExpression when IsZero(binary.Right, model) => (binary.Left, true),
            SyntaxKind.GreaterThanOrEqualExpression when IsZero(binary.Right, model) => (binary.Left, false),
            SyntaxKind.GreaterThanExpression when IsZero(binary.Left, model) => (binary.Right, true),
            SyntaxKind.LessThanOrEqualExpression when IsZero(binary.Left, model) => (binary.Right, false),
            _ => ((ExpressionSyntax?)null, false),
        };
        if (subject is null)
        {
            return null;
        }

        var verdict = never ? "never true" : "always true";
        var text = $"`{Shorten(binary.ToString())}` is {verdict}";
        if (CopyCall(subject, model, symbols) is { } copy)
        {
            return Warning(UnsignedBelowZero, binary.GetLocation(),
                $"{text}: {copy} returns how many bytes it could not copy (an unsigned count, 0 when all were copied), never a negative error; test `{copy}(...) != 0` and return -EFAULT");
        }

        var type = model.GetTypeInfo(Strip(subject)).Type;
        if (type?.SpecialType is not (SpecialType.System_Byte or SpecialType.System_UInt16 or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_UIntPtr))
        {
            return null;
        }

        // A local holding copy_to_user's result: say where the count comes from.
        var from = model.GetSymbolInfo(Strip(subject)).Symbol is ILocalSymbol local
            && local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } init }
            && CopyCall(init, model, symbols) is { } source
                ? $"; {source} returns how many bytes it could not copy: test != 0"
                : "";
        return Warning(UnsignedBelowZero, binary.GetLocation(),
            $"{text}: {Shorten(Strip(subject).ToString())} is unsigned ({type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}){from}");
    }

    /// <summary>The name of the copy_to_user/copy_from_user call this expression is (through parentheses and casts), or null.</summary>
    private static string? CopyCall(ExpressionSyntax expression, SemanticModel model, Symbols symbols)
    {
        var e = expression;
        while (true)
        {
            switch (e)
            {
                case ParenthesizedExpressionSyntax p:
                    e = p.Expression;
                    continue;
                case CastExpressionSyntax c:
                    e = c.Expression;
                    continue;
            }

            break;
        }

        return e is InvocationExpressionSyntax call
            && model.GetSymbolInfo(call).Symbol is IMethodSymbol { Name: "copy_to_user" or "copy_from_user" } m
            && SymbolEqualityComparer.Default.Equals(m.ContainingType, symbols.Kernel)
                ? m.Name
                : null;
    }

    private static bool IsZero(ExpressionSyntax e, SemanticModel model) =>
        model.GetConstantValue(e) is { HasValue: true, Value: var v }
        && v is sbyte or byte or short or ushort or int or uint or long or ulong
        && Convert.ToDecimal(v, CultureInfo.InvariantCulture) == 0;

    private static ExpressionSyntax Strip(ExpressionSyntax e) => e switch
    {
        ParenthesizedExpressionSyntax p => Strip(p.Expression),
        PostfixUnaryExpressionSyntax u when u.IsKind(SyntaxKind.SuppressNullableWarningExpression) => Strip(u.Operand),
        _ => e,
    };

    private static Model.Diagnostic? CheckHiddenMapping(SyntaxNode declaration, SemanticModel model, Symbols symbols)
    {
        if (model.GetDeclaredSymbol(declaration) is not ILocalSymbol local || !IsIoMem(local.Type, symbols))
        {
            return null;
        }

        for (var type = local.ContainingType; type is not null; type = type.ContainingType)
        {
            var field = type.GetMembers(local.Name).OfType<IFieldSymbol>().FirstOrDefault(f => IsIoMem(f.Type, symbols));
            if (field is null)
            {
                continue;
            }

            var location = declaration switch
            {
                VariableDeclaratorSyntax v => v.Identifier.GetLocation(),
                SingleVariableDesignationSyntax d => d.Identifier.GetLocation(),
                _ => declaration.GetLocation(),
            };
            // Storing the local into the field afterwards is deliberate.
            var body = declaration.Ancestors().FirstOrDefault(a => a is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax or LocalFunctionStatementSyntax);
            if (body?.DescendantNodes().OfType<AssignmentExpressionSyntax>().Any(a => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(a.Left).Symbol, field)) == true)
            {
                return null;
            }

            var kind = field.IsStatic ? "static field" : "field";
            return Warning(HiddenMapping, location,
                $"this local variable `{local.Name}` hides the {kind} {type.Name}.{field.Name}: what you store in the local never reaches the field, which stays null for the other functions (an oops when they use it); assign the field, without a type in front: `{field.Name} = ioremap(...);`");
        }

        return null;
    }

    /// <summary>Static initializers run in declaration order: one that reads a field initialised further down
    /// reads its default (the command numbers of a message built before them are 0).</summary>
    private static IEnumerable<Model.Diagnostic> CheckInitializationOrder(SyntaxNode declaration, SemanticModel model)
    {
        if (declaration is not VariableDeclaratorSyntax { Initializer.Value: { } value }
            || model.GetDeclaredSymbol(declaration) is not IFieldSymbol { IsStatic: true, IsConst: false } field)
        {
            yield break;
        }

        var reported = new HashSet<IFieldSymbol>(SymbolEqualityComparer.Default);
        // Lambdas run later, nameof reads nothing.
        foreach (var name in value.DescendantNodesAndSelf(n => n is not AnonymousFunctionExpressionSyntax).OfType<IdentifierNameSyntax>())
        {
            if (model.GetSymbolInfo(name).Symbol is not IFieldSymbol { IsStatic: true, IsConst: false } read
                || !SymbolEqualityComparer.Default.Equals(read.ContainingType, field.ContainingType)
                || name.Ancestors().OfType<InvocationExpressionSyntax>().Any(i => i.Expression is IdentifierNameSyntax { Identifier.ValueText: "nameof" }))
            {
                continue;
            }

            var later = read.DeclaringSyntaxReferences.Select(r => r.GetSyntax()).OfType<VariableDeclaratorSyntax>()
                .FirstOrDefault(d => d.Initializer is not null && d.SyntaxTree == declaration.SyntaxTree && d.SpanStart > declaration.SpanStart);
            if (later is not null && reported.Add(read))
            {
                yield return Warning(ReadBeforeInitialized, name.GetLocation(),
                    $"{read.Name} is read here before it is initialised: static fields are initialised in the order they are declared, and {read.Name} is declared below (line {later.GetLocation().GetMappedLineSpan().StartLinePosition.Line + 1}), so this reads {(read.Type.IsReferenceType ? "null" : "0")}; declare {read.Name} above {field.Name}");
            }
        }
    }

    private static Model.Diagnostic? CheckIndexer(SyntaxNode access, SemanticModel model, Symbols symbols)
    {
        if (model.GetSymbolInfo(access).Symbol is not IPropertySymbol { IsIndexer: true } indexer
            || !SymbolEqualityComparer.Default.Equals(indexer.ContainingType, symbols.IoMem))
        {
            return null;
        }

        var (receiver, arguments) = access switch
        {
            ElementAccessExpressionSyntax e => (Strip(e.Expression).ToString(), e.ArgumentList),
            ElementBindingExpressionSyntax b => (access.Ancestors().OfType<ConditionalAccessExpressionSyntax>().FirstOrDefault()?.Expression is { } r ? Strip(r).ToString() : "devmem", b.ArgumentList),
            _ => ("devmem", null),
        };
        var index = arguments?.Arguments.FirstOrDefault()?.Expression;
        var address = index is null
            ? $"{receiver} + offset"
            : model.GetConstantValue(index) is { HasValue: true, Value: int k }
                ? k == 0 ? receiver : $"{receiver} + {4L * k}"
                : $"{receiver} + 4 * ({index})";
        // devmem?[0] = v assigns the whole conditional access.
        var whole = access is ElementBindingExpressionSyntax && access.Parent is ConditionalAccessExpressionSyntax conditional ? conditional : access;
        var written = whole.Parent is AssignmentExpressionSyntax assignment && assignment.Left == whole;
        var use = written ? $"iowrite32(value, {address})" : $"ioread32({address})";
        return Warning(MappingIndexer, access.GetLocation(),
            $"`{Shorten(access.ToString())}` dereferences the device mapping directly (C's *(u32 *){receiver}): the kernel oopses there; use {use} (or {(written ? "writel" : "readl")}). Mind the units: `{receiver} + n` is n bytes into the mapping, where {receiver}[i] counted 32-bit words ({receiver}[1] is {receiver} + 4)");
    }

    private static bool IsIoMem(ITypeSymbol type, Symbols symbols) =>
        SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, symbols.IoMem);

    private static Model.Diagnostic? CheckFormat(InvocationExpressionSyntax invocation, SemanticModel model, Symbols symbols)
    {
        if (model.GetSymbolInfo(invocation).Symbol is not IMethodSymbol method
            || !SymbolEqualityComparer.Default.Equals(method.ContainingType, symbols.Kernel))
        {
            return null;
        }

        var fmt = method.Parameters.FirstOrDefault(p => p.Name == "fmt" && p.Type.SpecialType == SpecialType.System_String);
        var arguments = invocation.ArgumentList.Arguments;
        if (fmt is null || fmt.Ordinal >= arguments.Count || arguments.Any(a => a.NameColon is not null))
        {
            return null;
        }

        var format = arguments[fmt.Ordinal].Expression;
        if (model.GetSymbolInfo(format).Symbol is IFieldSymbol { Name: var level } field
            && level.StartsWith("KERN_", StringComparison.Ordinal)
            && SymbolEqualityComparer.Default.Equals(field.ContainingType, symbols.Kernel)
            && arguments.Count > fmt.Ordinal + 1)
        {
            return Warning(LevelAsFormat, format.GetLocation(),
                $"{method.Name}({level}, \"...\") makes {level} the whole format and your message an unused argument, so the log gets an empty line: C# does not join a level and a string as C does; write {method.Name}({level} + \"...\")");
        }

        if (model.GetConstantValue(format) is { HasValue: true, Value: string text } && Placeholder().Match(text) is { Success: true } placeholder)
        {
            var spec = placeholder.Groups["spec"].Value;
            var c = spec.Length > 0 && spec[0] is 'x' or 'X' or 'd' ? "%" + spec[0] : "%d, %u, %x or %s";
            return Warning(FormatPlaceholder, format.GetLocation(),
                $"{method.Name} formats like C's printf, not like string.Format: `{placeholder.Value}` is printed as it stands and its argument is never shown; write {c} (%lx for a 64-bit value)");
        }

        return null;
    }

    [GeneratedRegex(@"\{\d+(,-?\d+)?(:(?<spec>[^{}]*))?\}")]
    private static partial Regex Placeholder();

    private static string Shorten(string code)
    {
        var flat = Regex.Replace(code, @"\s+", " ");
        return flat.Length > 80 ? flat[..77] + "..." : flat;
    }

    private static Model.Diagnostic Error(string code, Location location, string message) => Make("error", code, location, message);

    private static Model.Diagnostic Warning(string code, Location location, string message) => Make("warning", code, location, message);

    private static Model.Diagnostic Make(string severity, string code, Location location, string message)
    {
        var span = location.GetMappedLineSpan();
        return new Model.Diagnostic(severity, span.Path, span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1, message, code);
    }
}
