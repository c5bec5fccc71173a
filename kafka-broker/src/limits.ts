// Named limits of the broker, with Kafka's defaults.

/** socket.request.max.bytes default: the largest request frame accepted. */
export const SOCKET_REQUEST_BYTES_MAX = 104_857_600;
/** message.max.bytes default: the largest record batch accepted. */
export const MESSAGE_BYTES_MAX = 1_048_588;
