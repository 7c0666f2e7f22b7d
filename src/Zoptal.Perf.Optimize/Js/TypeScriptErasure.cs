using System.Text;
using System.Text.RegularExpressions;

namespace Zoptal.Perf.Optimize.Js;

/// <summary>
/// The TypeScript a next.config.ts uses, blanked out with spaces so the rest parses as JavaScript at the same
/// offsets (the ts-blank-space idea): <c>import type</c> statements, type-only import names, <c>export type</c> /
/// <c>interface</c> declarations, type annotations of variables and parameters, <c>satisfies T</c>, <c>as T</c> and
/// <c>as const</c>. Anything else stays, and a parse error then reports the file as not read.
/// </summary>
public static partial class TypeScriptErasure
{
    public static string Erase(string text)
    {
        var chars = text.ToCharArray();
        void Blank(int start, int length)
        {
            for (var i = start; i < start + length && i < chars.Length; i++)
            {
                if (chars[i] is not ('\n' or '\r'))
                    chars[i] = ' ';
            }
        }

        foreach (Match m in ImportType().Matches(text))
            Blank(m.Index, m.Length);
        foreach (Match m in InlineTypeImport().Matches(text))
            Blank(m.Groups["type"].Index, m.Groups["type"].Length);
        foreach (Match m in TypeDeclaration().Matches(text))
            Blank(m.Index, DeclarationEnd(text, m.Index + m.Length, m.Value.TrimEnd().EndsWith('{')) - m.Index);
        foreach (Match m in VariableAnnotation().Matches(text))
            Blank(m.Groups["type"].Index, m.Groups["type"].Length);
        var brackets = InnermostBrackets(text);
        foreach (Match m in ParameterAnnotation().Matches(text))
        {
            // Only in a parameter list: "key: value," in an object literal has the same shape.
            if (brackets[m.Groups["type"].Index] == '(')
                Blank(m.Groups["type"].Index, m.Groups["type"].Length);
        }
        foreach (Match m in Satisfies().Matches(text))
            Blank(m.Groups["type"].Index, m.Groups["type"].Length);
        return new string(chars);
    }

    // For each offset, the innermost bracket open there ('(', '{', '[' or '\0' at the top), strings and comments skipped.
    private static char[] InnermostBrackets(string text)
    {
        var result = new char[text.Length + 1];
        var stack = new Stack<char>();
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            result[i] = stack.Count == 0 ? '\0' : stack.Peek();
            if (c is '"' or '\'' or '`')
            {
                var quote = c;
                for (i++; i < text.Length && text[i] != quote && (text[i] != '\n' || quote == '`'); i++)
                {
                    result[i] = result[i - 1];
                    if (text[i] == '\\')
                        i++;
                }

                if (i < text.Length)
                    result[i] = stack.Count == 0 ? '\0' : stack.Peek();
            }
            else if (c == '/' && i + 1 < text.Length && text[i + 1] is '/' or '*')
            {
                var end = text[i + 1] == '/' ? text.IndexOf('\n', i) : text.IndexOf("*/", i + 2, StringComparison.Ordinal) + 1;
                end = end <= 0 ? text.Length - 1 : end;
                for (; i <= end && i < text.Length; i++)
                    result[i] = stack.Count == 0 ? '\0' : stack.Peek();
                i--;
            }
            else if (c is '(' or '{' or '[')
            {
                stack.Push(c);
            }
            else if (c is ')' or '}' or ']' && stack.Count > 0)
            {
                stack.Pop();
            }
        }

        result[text.Length] = stack.Count == 0 ? '\0' : stack.Peek();
        return result;
    }

    // Where a type alias ends (its ';' at depth 0, or a line break the next line does not continue) or an interface (its closing brace).
    private static int DeclarationEnd(string text, int from, bool interfaceBody)
    {
        var depth = interfaceBody ? 1 : 0;
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '{' or '(' or '[')
                depth++;
            else if (c is '}' or ')' or ']')
                depth--;
            if (interfaceBody && depth == 0)
                return i + 1;
            if (!interfaceBody && depth == 0 && (c == ';' || c == '\n' && NextStartsStatement(text, i)))
                return i + 1;
        }

        return text.Length;
    }

    private static bool NextStartsStatement(string text, int newline)
    {
        var rest = text[(newline + 1)..].TrimStart();
        return rest.Length == 0 || !(rest[0] is '|' or '&' or '{' or '}' or '=' or '.' or '?' or ':');
    }

    [GeneratedRegex(@"^\s*import\s+type\s[^;]*?from\s*(['""])[^'""]*\1\s*;?", RegexOptions.Multiline)]
    private static partial Regex ImportType();

    [GeneratedRegex(@"[{,]\s*(?<type>type\s+[A-Za-z_$][\w$]*\s*,?)")]
    private static partial Regex InlineTypeImport();

    [GeneratedRegex(@"^[ \t]*(export\s+)?(type\s+[A-Za-z_$][\w$]*(<[^>]*>)?\s*=|interface\s+[A-Za-z_$][\w$]*[^{]*\{)", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    // const name: Type = ...  (Type may hold generics, import('next').NextConfig, unions, arrays)
    [GeneratedRegex(@"\b(?:const|let|var)\s+[A-Za-z_$][\w$]*(?<type>\s*:\s*[^=;]+?)\s*=(?!=)")]
    private static partial Regex VariableAnnotation();

    // (phase: string, { defaultConfig }: { defaultConfig: NextConfig }) => : simple parameter types only
    [GeneratedRegex(@"[(,]\s*[A-Za-z_$][\w$]*(?<type>\s*\??:\s*[A-Za-z_$][\w$.]*(?:<[^>()]*>)?(?:\[\])?)(?=\s*[,)=])")]
    private static partial Regex ParameterAnnotation();

    // } satisfies NextConfig;   } as NextConfig   as const
    // satisfies NextConfig['images'] (an indexed access type) too
    [GeneratedRegex(@"[}\])\w'""](?<type>\s+(?:satisfies|as)\s+(?:const\b|[A-Za-z_$][\w$.]*(?:<[^;\n]*>)?(?:\[\]|\['[^'\n]*'\]|\[""[^""\n]*""\])*))(?=\s*(?:[;),}\]]|$))", RegexOptions.Multiline)]
    private static partial Regex Satisfies();
}
