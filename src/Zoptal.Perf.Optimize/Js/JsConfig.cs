using Acornima;
using Acornima.Ast;

namespace Zoptal.Perf.Optimize.Js;

/// <summary>How a config file's JavaScript is read.</summary>
public enum JsFlavor
{
    /// <summary>CommonJS (.cjs, .js outside a "type": "module" package).</summary>
    Script,

    /// <summary>An ES module (.mjs, .js in a "type": "module" package).</summary>
    Module,

    /// <summary>TypeScript (.ts, .mts, .cts): its types blanked out, then read as a module.</summary>
    TypeScript,
}

/// <summary>
/// A JavaScript (or TypeScript) config file parsed with Acornima: the exported object (<c>module.exports = {...}</c>,
/// <c>export default {...}</c>, through a top-level variable, through plugin wrappers such as
/// <c>withPWA({...})</c> or <c>withBundleAnalyzer(opts)(config)</c>, and through a function that returns it), and
/// edits planned per object, so that additions, removals and replacements in one object cannot collide: everything
/// the edits do not touch, comments and formatting included, stays as it was.
/// </summary>
public sealed class JsConfig
{
    private readonly List<TextEdit> _replacements = [];
    private readonly Dictionary<ObjectExpression, (List<Property> Removed, List<(string Key, string Value)> Added)> _plans = [];

    private JsConfig(string text, JsFlavor flavor, Acornima.Ast.Program program, ObjectExpression? exported, string? through)
    {
        Text = text;
        Flavor = flavor;
        Program = program;
        Exported = exported;
        Through = through;
    }

    public string Text { get; }

    public JsFlavor Flavor { get; }

    public Acornima.Ast.Program Program { get; }

    /// <summary>The exported object, or null when the file exports something this reader cannot follow.</summary>
    public ObjectExpression? Exported { get; }

    /// <summary>What the object was found through ("withPWA(...)", "the function's return value"), or null.</summary>
    public string? Through { get; }

    /// <summary>Parses a config; null with the parser's message (line and column) when it does not parse.</summary>
    public static JsConfig? Parse(string text, JsFlavor flavor, out string? error)
    {
        error = null;
        var source = flavor == JsFlavor.TypeScript ? TypeScriptErasure.Erase(text) : text;
        Acornima.Ast.Program program;
        try
        {
            var parser = new Parser();
            program = flavor == JsFlavor.Script ? parser.ParseScript(source) : parser.ParseModule(source);
        }
        catch (ParseErrorException e)
        {
            error = $"line {e.LineNumber}, column {e.Column}: {e.Description}{(flavor == JsFlavor.TypeScript ? " (after its TypeScript types were blanked out)" : "")}";
            return null;
        }

        // The last declaration of a name wins, as at run time (a script may declare one var twice).
        var declarations = new Dictionary<string, Node?>(StringComparer.Ordinal);
        foreach (var declarator in program.Body.OfType<VariableDeclaration>().SelectMany(d => d.Declarations))
        {
            if (declarator.Id is Identifier id)
                declarations[id.Name] = declarator.Init;
        }

        foreach (var function in program.Body.OfType<FunctionDeclaration>())
        {
            if (function.Id is { } id)
                declarations[id.Name] = function;
        }

        Node? exported = null;
        foreach (var statement in program.Body)
        {
            if (statement is ExpressionStatement { Expression: AssignmentExpression { Left: MemberExpression { Object: Identifier { Name: "module" }, Property: Identifier { Name: "exports" } } } assignment })
                exported = assignment.Right;
            else if (statement is ExportDefaultDeclaration { Declaration: var declaration })
                exported = declaration;
        }

        string? through = null;
        var found = Follow(exported, declarations, ref through, depth: 0);
        return new JsConfig(text, flavor, program, found, through);
    }

    private static ObjectExpression? Follow(Node? node, Dictionary<string, Node?> declarations, ref string? through, int depth)
    {
        if (depth > 8)
            return null;
        switch (node)
        {
            case ObjectExpression o:
                return o;
            case Identifier { Name: var name } when declarations.TryGetValue(name, out var value):
                return Follow(value, declarations, ref through, depth + 1);
            case CallExpression call:
                // A plugin wrapper: the config is its first argument that leads to an object (withSentryConfig(config, options), withPlugins([...], config)).
                foreach (var argument in call.Arguments)
                {
                    if (argument is ArrayExpression)
                        continue;
                    var inner = through;
                    if (Follow(argument, declarations, ref inner, depth + 1) is { } found)
                    {
                        through = $"{Callee(call.Callee)}(...)" + (inner is null ? "" : $" → {inner}");
                        return found;
                    }
                }

                return null;
            case ArrowFunctionExpression { Body: var body }:
                through = "the function's return value";
                return body is FunctionBody arrowBody ? Returned(arrowBody, declarations, ref through, depth) : Follow(body, declarations, ref through, depth + 1);
            case FunctionExpression { Body: var expressionBody }:
                through = "the function's return value";
                return Returned(expressionBody, declarations, ref through, depth);
            case FunctionDeclaration { Body: var declarationBody }:
                through = "the function's return value";
                return Returned(declarationBody, declarations, ref through, depth);
            default:
                return null;
        }
    }

    private static ObjectExpression? Returned(FunctionBody body, Dictionary<string, Node?> declarations, ref string? through, int depth)
    {
        var local = new Dictionary<string, Node?>(declarations, StringComparer.Ordinal);
        foreach (var declarator in body.Body.OfType<VariableDeclaration>().SelectMany(d => d.Declarations))
        {
            if (declarator.Id is Identifier id)
                local[id.Name] = declarator.Init;
        }

        var returns = body.Body.OfType<ReturnStatement>().ToList();
        return returns.Count == 1 ? Follow(returns[0].Argument, local, ref through, depth + 1) : null;
    }

    private static string Callee(Node callee) => callee switch
    {
        Identifier { Name: var n } => n,
        CallExpression inner => Callee(inner.Callee) + "(...)",
        MemberExpression { Property: Identifier { Name: var p } } => p,
        _ => "a call",
    };

    /// <summary>A property of an object by its key (identifier or string).</summary>
    public static Property? Get(ObjectExpression? target, string key) => target?.Properties.OfType<Property>()
        .LastOrDefault(p => !p.Computed && (p.Key is Identifier { Name: var n } && n == key || p.Key is StringLiteral { Value: var s } && s == key));

    /// <summary>The source text of a node.</summary>
    public string Source(Node node) => Text[node.Start..node.End];

    /// <summary>Replaces a property's value; a shorthand property (<c>{ poweredByHeader }</c>) becomes <c>key: value</c>.</summary>
    public void ReplaceValue(Property property, string replacement) => _replacements.Add(property.Shorthand
        ? new TextEdit(property.Start, property.End, $"{Source(property.Key)}: {replacement}")
        : new TextEdit(property.Value.Start, property.Value.End, replacement));

    /// <summary>Adds <c>key: value</c> to an object (planned with the object's other changes).</summary>
    public void Add(ObjectExpression target, string key, string value) => Plan(target).Added.Add((key, value));

    /// <summary>Removes a property (planned with the object's other changes).</summary>
    public void Remove(ObjectExpression target, Property property) => Plan(target).Removed.Add(property);

    private (List<Property> Removed, List<(string Key, string Value)> Added) Plan(ObjectExpression target)
    {
        if (!_plans.TryGetValue(target, out var plan))
            _plans[target] = plan = ([], []);
        return plan;
    }

    /// <summary>
    /// The edits, planned per object: a removed property's text is taken over by an added one (its comma and
    /// comments stay); further additions go after the object's last remaining property, on their own lines when the
    /// object is written one property per line (after that line's comment), with the file's comma style.
    /// </summary>
    public IReadOnlyList<TextEdit> Edits()
    {
        var edits = new List<TextEdit>(_replacements);
        foreach (var (target, (removed, added)) in _plans)
        {
            var properties = target.Properties.ToList();
            var removedInOrder = removed.Distinct().OrderBy(p => p.Start).ToList();
            var pending = new Queue<(string Key, string Value)>(added);
            Node? anchor = properties.Where(p => p is not Property prop || !removed.Contains(prop)).LastOrDefault();
            foreach (var property in removedInOrder)
            {
                // With nothing left to follow, the first addition takes over a removed property's place (its comma stays).
                if (anchor is null && pending.TryDequeue(out var replacement))
                {
                    edits.Add(new TextEdit(property.Start, property.End, $"{replacement.Key}: {replacement.Value}"));
                    anchor = property;
                }
                else
                {
                    edits.Add(RemovalOf(properties, property, removed, keepPreviousComma: pending.Count > 0));
                }
            }

            if (pending.Count > 0)
                edits.AddRange(Additions(target, anchor, [.. pending]));
        }

        return edits;
    }

    private TextEdit RemovalOf(List<Node> properties, Property property, List<Property> removed, bool keepPreviousComma)
    {
        var start = property.Start;
        var end = property.End;
        var comma = NextNonBlank(end);
        if (comma < Text.Length && Text[comma] == ',')
        {
            end = comma + 1;
        }
        else if (!keepPreviousComma)
        {
            // The last property: take the comma before it, unless that property is going too (its own removal takes it).
            var index = properties.IndexOf(property);
            if (index > 0 && properties[index - 1] is var previous && !(previous is Property p && removed.Contains(p)))
                start = previous.End;
        }

        var lineStart = Text.LastIndexOf('\n', Math.Max(0, property.Start - 1)) + 1;
        var lineEnd = Text.IndexOf('\n', end);
        var rest = lineEnd >= 0 ? Text[end..lineEnd] : Text[end..];
        // A property alone on its line goes with its line; a comment after it stays, where the property was.
        if (start == property.Start && Text[lineStart..start].Trim().Length == 0 && lineEnd >= 0 && rest.Trim().Length == 0)
            return new TextEdit(lineStart, lineEnd + 1, "");
        if (rest.TrimStart(' ', '\t').StartsWith("//", StringComparison.Ordinal) || rest.TrimStart(' ', '\t').StartsWith("/*", StringComparison.Ordinal))
            end += rest.Length - rest.TrimStart(' ', '\t').Length;
        return new TextEdit(start, end, "");
    }

    private IEnumerable<TextEdit> Additions(ObjectExpression target, Node? anchor, List<(string Key, string Value)> added)
    {
        var items = added.Select(a => $"{a.Key}: {a.Value}").ToList();
        if (anchor is null)
        {
            var inside = Text[(target.Start + 1)..(target.End - 1)];
            yield return TextEdit.Insert(target.Start + 1, inside.Contains('\n') ? $"\n{Indent(target.Start)}  {string.Join($",\n{Indent(target.Start)}  ", items)},\n{Indent(target.Start)}" : $" {string.Join(", ", items)} ");
            yield break;
        }

        var commaAt = NextNonBlank(anchor.End);
        var hasComma = commaAt < Text.Length && Text[commaAt] == ',';
        var afterAnchor = hasComma ? commaAt + 1 : anchor.End;
        var lineEnd = Text.IndexOf('\n', afterAnchor);
        var multiline = Text[target.Start..anchor.Start].Contains('\n') && lineEnd >= 0 && lineEnd < target.End - 1 && Text[afterAnchor..lineEnd].Trim() is var rest && (rest.Length == 0 || rest.StartsWith("//", StringComparison.Ordinal));
        if (multiline)
        {
            var indent = Indent(anchor.Start);
            var eol = lineEnd > 0 && Text[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
            var newline = Text[eol..(lineEnd + 1)];
            if (!hasComma)
                yield return TextEdit.Insert(anchor.End, ",");
            yield return TextEdit.Insert(eol, string.Concat(items.Select((item, i) => $"{newline}{indent}{item}{(i < items.Count - 1 || hasComma ? "," : "")}")));
        }
        else
        {
            yield return hasComma ? TextEdit.Insert(afterAnchor, $" {string.Join(", ", items)},") : TextEdit.Insert(anchor.End, $", {string.Join(", ", items)}");
        }
    }

    private int NextNonBlank(int from)
    {
        var i = from;
        while (i < Text.Length && char.IsWhiteSpace(Text[i]))
            i++;
        return i;
    }

    private string Indent(int offset)
    {
        var lineStart = Text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1;
        return new string([.. Text[lineStart..offset].TakeWhile(c => c is ' ' or '\t')]);
    }
}
