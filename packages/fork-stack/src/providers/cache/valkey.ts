/**
 * Valkey speaks the Redis protocol and implements every command the redis provider uses (SCAN, UNLINK,
 * COPY, DUMP/RESTORE, SELECT, FLUSHDB, HSETNX, EVAL), so `valkey` is the redis provider under its own
 * name: messages say "valkey" and `doctor` reports which server it found.
 */
import { redisCache } from './redis.js';

export const provider = redisCache('valkey');
