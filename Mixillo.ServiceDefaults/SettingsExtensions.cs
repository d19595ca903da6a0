using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

public static class SettingsExtensions
{
    /// <summary>
    /// Binds <typeparamref name="T"/> to configuration section <paramref name="section"/> and checks it when the host
    /// starts, so a wrong value stops the start with its key's name rather than failing at first use: a value
    /// that does not convert names its key (the binder's message); <paramref name="validate"/> throws an
    /// <see cref="ArgumentException"/> naming the key for a value that converts but cannot work. The bound
    /// object is injectable as <typeparamref name="T"/> as well as <see cref="IOptions{TOptions}"/>.
    /// </summary>
    public static OptionsBuilder<T> AddSettings<T>(this IServiceCollection services, string section, Action<T> validate)
        where T : class
    {
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        // Once per type, however many hosts' wiring ask for the section (the API and its in-process worker both do).
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>>(new ThrowingValidator<T>(validate)));
        return services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();
    }

    private sealed class ThrowingValidator<T>(Action<T> validate) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            try
            {
                validate(options);
                return ValidateOptionsResult.Success;
            }
            catch (ArgumentException ex)
            {
                return ValidateOptionsResult.Fail(ex.Message);
            }
        }
    }
}
