using System.CommandLine;

namespace VoxelGan.Cli;

/// <summary>
/// An option that takes one of a few names, each standing for a library enum value; the parser refuses
/// other names with a message listing the valid ones, and <see cref="Get"/> maps the name to its value.
/// </summary>
internal sealed class ChoiceOption<T> where T : struct, Enum
{
    private readonly (string Name, T Value)[] _choices;

    public ChoiceOption(string name, string description, T defaultValue, params (string Name, T Value)[] choices)
    {
        _choices = choices;
        string defaultName = choices.First(c => c.Value.Equals(defaultValue)).Name;
        Option = new Option<string>(name) { Description = $"{description}: {string.Join(" or ", choices.Select(c => c.Name))}", DefaultValueFactory = _ => defaultName };
        Option.AcceptOnlyFromAmong([.. choices.Select(c => c.Name)]);
    }

    /// <summary>The option to add to a command.</summary>
    public Option<string> Option { get; }

    /// <summary>The value chosen on the command line (or the default).</summary>
    public T Get(ParseResult parse) => _choices.First(c => c.Name == parse.GetValue(Option)).Value;
}
