namespace FunctionsApiKey.KeySources;

/// <summary>
/// A key source the app can use: under <see cref="Name"/>, chosen by <c>ApiKeys:KeySource</c>; or, with no name, the
/// app's own source added with <c>AddSource&lt;T&gt;()</c>, chosen when no source is named.
/// </summary>
/// <param name="Name">The name <c>ApiKeys:KeySource</c> chooses it by, or null for the app's own source.</param>
/// <param name="Type">The source's type, created once by dependency injection.</param>
internal sealed record KeySourceRegistration(string? Name, Type Type);
