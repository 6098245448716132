/** `valkey` takes exactly the options of `redis`: the same module serves both (see valkey.ts). */
export { schema, example, credentials, type RedisOptions as ValkeyOptions } from './redis.schema.js';
