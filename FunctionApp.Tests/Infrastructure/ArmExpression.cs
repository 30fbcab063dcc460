using System.Globalization;

namespace FunctionApp.Tests.Infrastructure;

/// <summary>
/// The part of the ARM template expression language (<c>[function(args).property]</c>) that the Bicep CLI emits for
/// infra/main.bicep, parsed into a tree. <see cref="ArmDeployment"/> evaluates it.
/// </summary>
internal abstract record ArmExpression
{
    /// <summary>A JSON string of a template: an expression when it is in brackets (<c>[[</c> escapes a literal bracket).</summary>
    public static bool IsExpression(string text) => text.StartsWith('[') && !text.StartsWith("[[", StringComparison.Ordinal) && text.EndsWith(']');

    public static ArmExpression Parse(string text)
    {
        var parser = new Parser(text[1..^1]);
        var expression = parser.Expression();
        parser.End();
        return expression;
    }

    internal sealed record Literal(object Value) : ArmExpression;

    internal sealed record Call(string Name, IReadOnlyList<ArmExpression> Arguments) : ArmExpression;

    internal sealed record Member(ArmExpression Target, string Name) : ArmExpression;

    internal sealed record Index(ArmExpression Target, ArmExpression Key) : ArmExpression;

    private sealed class Parser(string text)
    {
        private int _position;

        public ArmExpression Expression()
        {
            var expression = Primary();
            while (true)
            {
                SkipSpace();
                if (TryTake('.'))
                {
                    expression = new Member(expression, Identifier());
                }
                else if (TryTake('['))
                {
                    var key = Expression();
                    Expect(']');
                    expression = new Index(expression, key);
                }
                else
                {
                    return expression;
                }
            }
        }

        public void End()
        {
            SkipSpace();
            if (_position != text.Length)
            {
                throw Error("end of expression");
            }
        }

        private ArmExpression Primary()
        {
            SkipSpace();
            if (TryTake('\''))
            {
                var value = new System.Text.StringBuilder();
                while (true)
                {
                    if (_position >= text.Length)
                    {
                        throw Error("closing quote");
                    }

                    var c = text[_position++];
                    if (c == '\'' && _position < text.Length && text[_position] == '\'')
                    {
                        value.Append('\'');
                        _position++;
                    }
                    else if (c == '\'')
                    {
                        return new Literal(value.ToString());
                    }
                    else
                    {
                        value.Append(c);
                    }
                }
            }

            if (_position < text.Length && (char.IsDigit(text[_position]) || text[_position] == '-'))
            {
                var start = _position++;
                while (_position < text.Length && char.IsDigit(text[_position]))
                {
                    _position++;
                }

                return new Literal(long.Parse(text[start.._position], CultureInfo.InvariantCulture));
            }

            var name = Identifier();
            Expect('(');
            var arguments = new List<ArmExpression>();
            SkipSpace();
            if (!TryTake(')'))
            {
                do
                {
                    arguments.Add(Expression());
                    SkipSpace();
                }
                while (TryTake(','));
                Expect(')');
            }

            return new Call(name, arguments);
        }

        private string Identifier()
        {
            SkipSpace();
            var start = _position;
            while (_position < text.Length && (char.IsLetterOrDigit(text[_position]) || text[_position] is '_' or '$'))
            {
                _position++;
            }

            return _position > start ? text[start.._position] : throw Error("a name");
        }

        private void Expect(char c)
        {
            SkipSpace();
            if (!TryTake(c))
            {
                throw Error($"'{c}'");
            }
        }

        private bool TryTake(char c)
        {
            if (_position < text.Length && text[_position] == c)
            {
                _position++;
                return true;
            }

            return false;
        }

        private void SkipSpace()
        {
            while (_position < text.Length && char.IsWhiteSpace(text[_position]))
            {
                _position++;
            }
        }

        private FormatException Error(string expected) =>
            new($"Expected {expected} at {_position} in [{text}]");
    }
}
