// Named limits of the broker, with Kafka's defaults.

/** socket.request.max.bytes default: the largest request frame accepted. */
export const SOCKET_REQUEST_BYTES_MAX = 104_857_600;
/** message.max.bytes default: the largest record batch accepted. */
export const MESSAGE_BYTES_MAX = 1_048_588;
/**
 * The largest record set a compressed batch or legacy wrapper may decompress to. Kafka has no such
 * setting (it decompresses as a stream); ours bounds memory against compression bombs while leaving
 * room for highly compressible 1 MB batches.
 */
export const DECOMPRESSED_BYTES_MAX = 128 * 1024 * 1024;
