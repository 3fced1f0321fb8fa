// A list of plugins of one kind (targets, input formats), the only list of that kind. It can grow
// at run time (tests register a plugin of their own before the CLI runs), so everything that names
// plugins asks it when used and never keeps a copy.
import { ConfigError, EventloadError } from './errors.js';
import type { ErrorCode } from './codes.js';

export class Registry<Plugin extends { name: string }> {
  constructor(
    /** What a plugin is called in messages: "target", "format". */
    private readonly kind: string,
    /** The code of asking for a name no plugin has. */
    private readonly unknownCode: ErrorCode<2>,
    private readonly plugins: Plugin[],
  ) {}

  all(): readonly Plugin[] {
    return this.plugins;
  }

  names(): string[] {
    return this.plugins.map((plugin) => plugin.name);
  }

  /** Adds a plugin after the built-in ones; a name taken twice is a bug in the code registering it (exit 70). */
  register(plugin: Plugin): void {
    if (this.plugins.some((known) => known.name === plugin.name)) throw new EventloadError('EL_PLUGIN_DUPLICATE', `${this.kind} "${plugin.name}" is already registered`);
    this.plugins.push(plugin);
  }

  find(name: string): Plugin {
    const plugin = this.plugins.find((candidate) => candidate.name === name);
    if (!plugin) throw new ConfigError(`unknown ${this.kind} "${name}" (known: ${this.names().join(', ')})`, this.unknownCode);
    return plugin;
  }
}
