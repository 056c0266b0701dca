using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Autograder.Compile;

/// <summary>
/// Defence in depth before any driver code runs: rejects APIs a driver has no business with (files,
/// network, processes, reflection, threads, unsafe code, native code, the environment, the console, the GC,
/// assembly loading, compiler internals, dynamic). Every rejection is an error diagnostic AG0001 with the
/// student's file, line, column and a plain reason. The OS sandbox of the worker must hold without it; this
/// makes the common cases fail early with a message a student understands.
/// </summary>
internal static class CSharpAllowlist
{
    public const string Code = "AG0001";

    private const string Files = "a driver has no business with files";
    private const string Network = "a driver has no business with the network";
    private const string Processes = "a driver has no business with processes or diagnostics";
    private const string Reflection = "reflection is not for drivers: use the kernel API directly";
    private const string Threads = "a driver may not start threads, tasks or timers (the kernel calls it one call at a time; lock with mutex or spinlock_t)";
    private const string Native = "native code (P/Invoke, Marshal, native libraries) is not allowed in a driver";
    private const string Loading = "a driver may not load assemblies";
    private const string Internals = "runtime and compiler internals are not for drivers";
    private const string EnvironmentReason = "a driver has no business with the process environment";
    private const string ConsoleReason = "a driver has no console: log with printk or pr_info";
    private const string Gc = "a driver may not control the garbage collector";
    private const string Domain = "a driver may not touch the application domain";
    private const string Security = "a driver has no business with security APIs";
    private const string InternPool = "the string intern pool is shared with whatever runs after the driver";
    private const string Layout = "layout and marshalling attributes are not for drivers: the runtime lays out and marshals a driver's types itself";
    private const string Unsafe = "unsafe code and pointers are not allowed in a driver: use ioread32/iowrite32 and copy_to_user/copy_from_user";

    // Namespaces, most specific first; a namespace matches itself and everything under it.
    private static readonly (string Namespace, string Reason)[] Namespaces =
    [
        ("System.IO", Files),
        ("System.Net", Network),
        ("System.Diagnostics", Processes),
        ("System.Reflection", Reflection),
        ("System.Threading.Tasks", Threads),
        ("System.Threading", Threads),
        ("System.Timers", Threads),
        ("System.Runtime.InteropServices", Native),
        ("System.Runtime.Loader", Loading),
        ("System.Runtime", Internals),
        ("System.Security", Security),
        ("Microsoft.Win32", Native),
    ];

    // Allowed inside forbidden namespaces: lock-free primitives and the compiler's own helpers.
    private static readonly HashSet<string> AllowedTypes =
    [
        "System.Threading.Interlocked",
        "System.Threading.Volatile",
        "System.Threading.Monitor",
        "System.Threading.Lock",
        "System.Threading.Lock.Scope",
        "System.Runtime.CompilerServices.IsExternalInit",
        "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler",
    ];

    // Allowed whole namespaces inside forbidden ones: nullable annotations only.
    private static readonly string[] AllowedNamespaces = ["System.Diagnostics.CodeAnalysis"];

    private static readonly Dictionary<string, string> SystemTypes = new(StringComparer.Ordinal)
    {
        ["System.Environment"] = EnvironmentReason,
        ["System.AppContext"] = EnvironmentReason,
        ["System.Console"] = ConsoleReason,
        ["System.GC"] = Gc,
        ["System.AppDomain"] = Domain,
        ["System.Activator"] = Reflection,
        ["System.Type"] = Reflection,
        ["System.RuntimeTypeHandle"] = Reflection,
        ["System.RuntimeMethodHandle"] = Reflection,
        ["System.RuntimeFieldHandle"] = Reflection,
        ["System.ModuleHandle"] = Reflection,
        ["System.TypedReference"] = Reflection,
        ["System.ArgIterator"] = Reflection,
        // Callbacks on the thread pool, outside the driver's calls.
        ["System.Progress"] = Threads,
        ["System.TimeProvider"] = Threads,
    };

    // Members that reach reflection from allowed types.
    private static readonly Dictionary<string, string> Members = new(StringComparer.Ordinal)
    {
        ["System.Object.GetType"] = Reflection,
        ["System.Delegate.CreateDelegate"] = Reflection,
        ["System.Delegate.DynamicInvoke"] = Reflection,
        ["System.Delegate.Method"] = Reflection,
        ["System.Delegate.Target"] = Reflection,
        ["System.Exception.TargetSite"] = Reflection,
        ["System.Exception.GetType"] = Reflection,
        // The intern pool is one per process: what a driver puts there outlives its load context.
        ["System.String.Intern"] = InternPool,
        ["System.String.IsInterned"] = InternPool,
    };

    // Namespaces a driver may not declare anything in: the compiler takes a type it declares there for the
    // runtime's own (a StructLayoutAttribute of its own gives it explicit layout, so overlapping references).
    private static readonly string[] ReservedNamespaces = ["System", "Microsoft", "Autograder"];

    // Layout and marshalling attributes, by the type's simple name whatever its namespace: the compiler
    // recognises some by name, and a driver needs none of them.
    private static readonly HashSet<string> LayoutAttributes =
    [
        "StructLayout", "FieldOffset", "MarshalAs", "DllImport", "LibraryImport", "UnmanagedCallersOnly",
        "UnmanagedFunctionPointer", "DefaultCharSet", "DefaultDllImportSearchPaths", "DisableRuntimeMarshalling",
        "FixedBuffer", "InlineArray", "SkipLocalsInit", "ModuleInitializer", "TypeForwardedTo", "ComImport",
        "Guid", "PreserveSig", "In", "Out", "Optional", "MethodImpl", "SuppressGCTransition",
    ];

    // Names a driver cannot even resolve against the minimal references, with the reason they are not there.
    private static readonly Dictionary<string, string> UnresolvedNames = new(StringComparer.Ordinal)
    {
        ["Console"] = ConsoleReason,
        ["Process"] = Processes,
        ["ProcessStartInfo"] = Processes,
        ["Socket"] = Network,
        ["TcpClient"] = Network,
        ["UdpClient"] = Network,
        ["TcpListener"] = Network,
        ["HttpClient"] = Network,
        ["WebClient"] = Network,
        ["WebRequest"] = Network,
        ["Dns"] = Network,
        ["Ping"] = Network,
        ["Parallel"] = Threads,
        ["Timer"] = Threads,
        ["Registry"] = Native,
    };

    /// <summary>The rejections of the whole compilation, in source order.</summary>
    public static IReadOnlyList<Model.Diagnostic> Check(CSharpCompilation compilation)
    {
        var found = new List<Model.Diagnostic>();
        var seen = new HashSet<(string, int, string)>();
        foreach (var tree in compilation.SyntaxTrees)
        {
            var model = compilation.GetSemanticModel(tree, ignoreAccessibility: false);
            var root = tree.GetRoot();
            foreach (var node in root.DescendantNodesAndSelf(n => n is not UsingDirectiveSyntax))
            {
                if (node is UsingDirectiveSyntax)
                {
                    continue;
                }

                var reason = CheckSyntax(node) ?? CheckSemantics(node, model, compilation);
                if (reason is null)
                {
                    continue;
                }

                var span = node.GetLocation().GetMappedLineSpan();
                var line = span.StartLinePosition.Line + 1;
                if (seen.Add((span.Path, line, reason)))
                {
                    found.Add(new Model.Diagnostic("error", span.Path, line, span.StartLinePosition.Character + 1, reason, Code));
                }
            }
        }

        return found;
    }

    private static string? CheckSyntax(SyntaxNode node)
    {
        switch (node)
        {
            case BaseNamespaceDeclarationSyntax ns when ReservedNamespaces.FirstOrDefault(r => Within(DeclaredNamespace(ns), r)) is { } reserved:
                return $"a driver may not declare anything in the {reserved} namespace (it is the runtime's or the grader's)";
            case BaseTypeDeclarationSyntax or DelegateDeclarationSyntax when ReservedNamespaces.Contains(DeclaredName(node)):
                return $"a driver may not declare a type named {DeclaredName(node)} (it would shadow the runtime's or the grader's namespace)";
            case AttributeSyntax a when LayoutAttributes.Contains(AttributeName(a.Name)):
                return $"[{AttributeName(a.Name)}] is not allowed in a driver: {Layout}";
            case UnsafeStatementSyntax or FixedStatementSyntax or PointerTypeSyntax or FunctionPointerTypeSyntax:
                return Unsafe;
            case PrefixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.AddressOfExpression) || p.IsKind(SyntaxKind.PointerIndirectionExpression):
                return Unsafe;
            case MemberAccessExpressionSyntax m when m.IsKind(SyntaxKind.PointerMemberAccessExpression):
                return Unsafe;
            case MakeRefExpressionSyntax or RefValueExpressionSyntax or RefTypeExpressionSyntax:
                return "__makeref, __refvalue and __reftype are not allowed in a driver";
            case ExpressionSyntax e when e.IsKind(SyntaxKind.ArgListExpression):
                return "__arglist is not allowed in a driver";
            case DestructorDeclarationSyntax:
                return "finalizers are not allowed in a driver: they run outside the driver's calls, on the runtime's own thread";
            case ExternAliasDirectiveSyntax:
                return Native;
            case TypeOfExpressionSyntax:
                return "typeof is not allowed in a driver: " + Reflection;
        }

        if (node is MemberDeclarationSyntax or LocalFunctionStatementSyntax)
        {
            var modifiers = node switch
            {
                MemberDeclarationSyntax m => m.Modifiers,
                LocalFunctionStatementSyntax f => f.Modifiers,
                _ => default,
            };
            if (modifiers.Any(SyntaxKind.UnsafeKeyword))
            {
                return Unsafe;
            }

            if (modifiers.Any(SyntaxKind.ExternKeyword))
            {
                return "extern methods are not allowed in a driver: " + Native;
            }
        }

        return null;
    }

    /// <summary>The full name of a namespace declaration, with the namespaces it is nested in.</summary>
    private static string DeclaredNamespace(BaseNamespaceDeclarationSyntax ns) =>
        string.Join(".", ns.AncestorsAndSelf().OfType<BaseNamespaceDeclarationSyntax>().Reverse()
            .Select(n => n.Name.ToString().Replace("global::", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal)));

    private static string DeclaredName(SyntaxNode node) => node switch
    {
        BaseTypeDeclarationSyntax t => t.Identifier.ValueText,
        DelegateDeclarationSyntax d => d.Identifier.ValueText,
        _ => "",
    };

    /// <summary>An attribute's simple name without the Attribute suffix ([X.StructLayoutAttribute] is StructLayout).</summary>
    private static string AttributeName(NameSyntax name)
    {
        var simple = name switch
        {
            QualifiedNameSyntax q => q.Right.Identifier.ValueText,
            AliasQualifiedNameSyntax a => a.Name.Identifier.ValueText,
            SimpleNameSyntax s => s.Identifier.ValueText,
            _ => name.ToString(),
        };
        return simple.EndsWith("Attribute", StringComparison.Ordinal) ? simple[..^"Attribute".Length] : simple;
    }

    private static string? CheckSemantics(SyntaxNode node, SemanticModel model, Compilation compilation)
    {
        if (node is AttributeSyntax attribute)
        {
            // Through an alias (using L = My.StructLayoutAttribute;) the syntax does not show the name.
            var type = model.GetTypeInfo(attribute).Type ?? (model.GetSymbolInfo(attribute).Symbol as IMethodSymbol)?.ContainingType;
            var typeName = type?.Name ?? "";
            typeName = typeName.EndsWith("Attribute", StringComparison.Ordinal) ? typeName[..^"Attribute".Length] : typeName;
            return LayoutAttributes.Contains(typeName) ? $"[{typeName}] is not allowed in a driver: {Layout}" : null;
        }

        if (node is ImplicitObjectCreationExpressionSyntax)
        {
            return model.GetTypeInfo(node).Type is { } created ? CheckType(created, compilation)?.Reason : null;
        }

        if (node is not SimpleNameSyntax name)
        {
            return null;
        }

        var info = model.GetSymbolInfo(name);
        var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
        if (symbol is null)
        {
            return CheckUnresolved(name);
        }

        var hit = symbol switch
        {
            ITypeSymbol type => CheckType(type, compilation),
            IMethodSymbol or IPropertySymbol or IFieldSymbol or IEventSymbol => CheckMember(symbol, compilation),
            _ => null,
        };
        return hit is { } h ? $"{h.What} is not allowed in a driver: {h.Reason}" : null;
    }

    private static (string What, string Reason)? CheckMember(ISymbol member, Compilation compilation)
    {
        if (member is IMethodSymbol { ReducedFrom: { } unreduced })
        {
            member = unreduced;
        }

        var original = member.OriginalDefinition;
        if (original.ContainingType is { } owner && !IsOwn(owner, compilation))
        {
            var ownerName = FullName(owner.OriginalDefinition);
            if (Members.TryGetValue(ownerName + "." + original.Name, out var reason))
            {
                return ($"{ownerName}.{original.Name}", reason);
            }

            if (CheckType(owner, compilation) is { } byOwner)
            {
                return ($"{byOwner.What}.{original.Name}", byOwner.Reason);
            }
        }

        // Members of allowed types that hand out forbidden ones (a MethodInfo, a Type, a pointer).
        var memberType = member switch
        {
            IMethodSymbol m => m.ReturnType,
            IPropertySymbol p => p.Type,
            IFieldSymbol f => f.Type,
            IEventSymbol e => e.Type,
            _ => null,
        };
        return memberType is null ? null : CheckType(memberType, compilation);
    }

    private static (string What, string Reason)? CheckType(ITypeSymbol type, Compilation compilation)
    {
        switch (type)
        {
            case { TypeKind: TypeKind.Dynamic }:
                return ("dynamic", "dynamic is not allowed in a driver: the kernel API is statically typed");
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return ("a pointer type", Unsafe);
            case IArrayTypeSymbol array:
                return CheckType(array.ElementType, compilation);
            case INamedTypeSymbol named:
                if (!IsOwn(named, compilation) && Classify(named.OriginalDefinition) is { } reason)
                {
                    return (FullName(named.OriginalDefinition), reason);
                }

                foreach (var argument in named.TypeArguments)
                {
                    if (CheckType(argument, compilation) is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string? Classify(INamedTypeSymbol type)
    {
        var full = FullName(type);
        if (AllowedTypes.Contains(full))
        {
            return null;
        }

        if (SystemTypes.TryGetValue(full, out var reason))
        {
            return reason;
        }

        var ns = type.ContainingNamespace?.ToDisplayString() ?? "";
        return ClassifyNamespace(ns);
    }

    private static string? ClassifyNamespace(string ns)
    {
        if (AllowedNamespaces.Any(a => Within(ns, a)))
        {
            return null;
        }

        foreach (var (prefix, reason) in Namespaces)
        {
            if (Within(ns, prefix))
            {
                return reason;
            }
        }

        return null;
    }

    private static string? CheckUnresolved(SimpleNameSyntax name)
    {
        var text = name.Identifier.ValueText;
        // A dotted name whose left part is a forbidden namespace the driver cannot see (System.Net.Sockets...).
        var left = name.Parent switch
        {
            QualifiedNameSyntax q when q.Right == name => q.Left.ToString(),
            MemberAccessExpressionSyntax m when m.Name == name => m.Expression.ToString(),
            _ => null,
        };
        var dotted = left is null ? text : left.Replace(" ", "", StringComparison.Ordinal) + "." + text;
        if (left is not null && ClassifyNamespace(dotted) is { } byNamespace)
        {
            return $"{dotted} is not allowed in a driver: {byNamespace}";
        }

        return UnresolvedNames.TryGetValue(text, out var reason) ? $"{text} is not allowed in a driver: {reason}" : null;
    }

    private static bool Within(string ns, string prefix) =>
        ns == prefix || (ns.Length > prefix.Length && ns.StartsWith(prefix, StringComparison.Ordinal) && ns[prefix.Length] == '.');

    private static bool IsOwn(ISymbol symbol, Compilation compilation) =>
        SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, compilation.Assembly);

    private static string FullName(INamedTypeSymbol type)
    {
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } n ? n.ToDisplayString() + "." : "";
        var outer = type.ContainingType is { } containing ? FullName(containing).Substring(ns.Length) + "." : "";
        return ns + outer + type.Name;
    }
}
