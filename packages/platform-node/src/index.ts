/**
 * @auth-pipeline/platform-node: the Node.js services of auth-pipeline (the loopback redirect
 * listener of a native app's login and the system browser opener).
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as NodeLoopbackRedirect from "./NodeLoopbackRedirect.js"
