/**
 * @since 0.1.0
 */
export * as CentrapayApiKey from "./CentrapayApiKey.js"
/**
 * @since 0.1.0
 */
export * as CentrapayUser from "./CentrapayUser.js"
/**
 * @since 0.1.0
 */
export * as Claims from "./Claims.js"
/**
 * @since 0.1.0
 */
export * as Permissions from "./Permissions.js"
