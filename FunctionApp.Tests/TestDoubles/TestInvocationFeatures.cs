using System.Collections;
using Microsoft.Azure.Functions.Worker;

namespace FunctionApp.Tests.TestDoubles;

internal sealed class TestInvocationFeatures : IInvocationFeatures
{
    private readonly Dictionary<Type, object> _features = [];

    public T? Get<T>() => _features.TryGetValue(typeof(T), out var feature) ? (T)feature : default;

    public void Set<T>(T instance) => _features[typeof(T)] = instance!;

    /// <summary>Sets a feature under a type only known at run time (the worker's internal bindings feature).</summary>
    public void Set(Type type, object instance) => _features[type] = instance;

    public IEnumerator<KeyValuePair<Type, object>> GetEnumerator() => _features.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
