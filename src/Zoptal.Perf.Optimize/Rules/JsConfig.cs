using Acornima;
using Acornima.Ast;

namespace Zoptal.Perf.Optimize.Rules;

/// <summary>
/// A JavaScript config file parsed with Acornima: the exported object (<c>module.exports = {...}</c>,
/// <c>export default {...}</c>, or either through a top-level <c>const</c>), and edits as exact character spans,
/// so everything the edits do not touch, comments and formatting included, stays as it was.
/// </summary>
internal sealed class JsConfig
{
    private readonly string _text;
    private readonly List<(int Start, int End, string Replacement)> _edits = [];

    private JsConfig(string text, ObjectExpression? exported)
    {
        _text = text;
        Exported = exported;
    }

    /// <summary>The exported object, or null when the file exports something else (a function, a call).</summary>
    public ObjectExpression? Exported { get; }

    /// <summary>Parses a script (CommonJS) or a module (.mjs); null with the parser's message when it does not parse.</summary>
    public static JsConfig? Parse(string text, bool module, out string? error)
    {
        error = null;
        try
        {
            var parser = new Parser();
            Acornima.Ast.Program program = module ? parser.ParseModule(text) : parser.ParseScript(text);
            var declarations = program.Body.OfType<VariableDeclaration>().SelectMany(d => d.Declarations)
                .Where(d => d.Id is Identifier).ToDictionary(d => ((Identifier)d.Id).Name, d => d.Init);
            Expression? exported = null;
            foreach (var statement in program.Body)
            {
                if (statement is ExpressionStatement { Expression: AssignmentExpression { Left: MemberExpression { Object: Identifier { Name: "module" }, Property: Identifier { Name: "exports" } } } assignment })
                    exported = assignment.Right;
                else if (statement is ExportDefaultDeclaration { Declaration: Expression declaration })
                    exported = declaration;
            }

            if (exported is Identifier name)
                exported = declarations.GetValueOrDefault(name.Name);
            return new JsConfig(text, exported as ObjectExpression);
        }
        catch (ParseErrorException e)
        {
            error = $"line {e.LineNumber}, column {e.Column}: {e.Description}";
            return null;
        }
    }

    /// <summary>A property of an object by its key (identifier or string).</summary>
    public static Property? Get(ObjectExpression? target, string key) => target?.Properties.OfType<Property>()
        .FirstOrDefault(p => !p.Computed && (p.Key is Identifier { Name: var n } && n == key || p.Key is StringLiteral { Value: var s } && s == key));

    /// <summary>The source text of a node.</summary>
    public string Source(Node node) => _text[node.Start..node.End];

    /// <summary>Replaces a node's text.</summary>
    public void Replace(Node node, string replacement) => _edits.Add((node.Start, node.End, replacement));

    /// <summary>Adds <c>key: value</c> as the object's last property, indented like its siblings.</summary>
    public void Add(ObjectExpression target, string key, string value)
    {
        var properties = target.Properties;
        if (properties.Count == 0)
        {
            _edits.Add((target.Start + 1, target.Start + 1, $" {key}: {value} "));
            return;
        }

        var last = properties[^1];
        var lineStart = _text.LastIndexOf('\n', last.Start) + 1;
        var indent = new string([.. _text[lineStart..last.Start].TakeWhile(char.IsWhiteSpace)]);
        var multiline = _text[target.Start..last.Start].Contains('\n');
        // After the last property (and its trailing comma, if the file uses them).
        var end = last.End;
        var after = _text.IndexOf(',', end) is var comma && comma >= 0 && _text[end..comma].Trim().Length == 0 ? comma + 1 : -1;
        _edits.Add(after >= 0
            ? (after, after, multiline ? $"\n{indent}{key}: {value}," : $" {key}: {value},")
            : (end, end, multiline ? $",\n{indent}{key}: {value}" : $", {key}: {value}"));
    }

    /// <summary>Removes a property with its comma (and its line, when it had one to itself).</summary>
    public void Remove(ObjectExpression target, Property property)
    {
        var index = target.Properties.ToList().IndexOf(property);
        var start = property.Start;
        var end = property.End;
        var comma = _text.IndexOf(',', end);
        if (comma >= 0 && _text[end..comma].Trim().Length == 0)
            end = comma + 1;
        else if (index > 0)
            start = target.Properties[index - 1].End;
        var lineStart = _text.LastIndexOf('\n', start) + 1;
        var lineEnd = _text.IndexOf('\n', end);
        // A property on a line of its own goes with its line, and with the comment that explained it.
        var rest = lineEnd >= 0 ? _text[end..lineEnd].Trim() : "";
        if (_text[lineStart..start].Trim().Length == 0 && lineEnd >= 0 && (rest.Length == 0 || rest.StartsWith("//", StringComparison.Ordinal)))
            (start, end) = (lineStart, lineEnd + 1);
        _edits.Add((start, end, ""));
    }

    /// <summary>The text with every edit applied (from the end, so spans stay valid).</summary>
    public string Apply()
    {
        var text = _text;
        foreach (var (start, end, replacement) in _edits.OrderByDescending(e => e.Start))
            text = text[..start] + replacement + text[end..];
        return text;
    }
}
