namespace FunctionsApiKey;

/// <summary>What is wrong with a written scopes list, as <see cref="ApiKey.ReadScopes"/> reads it.</summary>
public enum ScopesListProblem
{
    /// <summary>The list reads: names, or <c>*</c> alone for every function.</summary>
    None,

    /// <summary>The list names no scope.</summary>
    NamesNothing,

    /// <summary>The list mixes <c>*</c> with scope names.</summary>
    MixesEveryFunction,
}
