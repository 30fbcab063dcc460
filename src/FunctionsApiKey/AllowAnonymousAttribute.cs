namespace FunctionsApiKey;

/// <summary>
/// Lets callers without an API key run this HTTP function (or every function of this class). Without it, every
/// HTTP-triggered function requires a valid key. Like ASP.NET Core's attribute of the same name, it wins over
/// <see cref="RequireScopeAttribute"/>; ASP.NET Core's own <c>[AllowAnonymous]</c> (any attribute implementing
/// <c>Microsoft.AspNetCore.Authorization.IAllowAnonymous</c>) is honoured the same way.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Class, AllowMultiple = false, Inherited = true)]
public sealed class AllowAnonymousAttribute : Attribute;
