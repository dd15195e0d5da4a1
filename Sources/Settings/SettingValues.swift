/// Where settings' values come from: the layered configuration of a running service
/// (`ServiceSupport.ServiceConfig`: command line, environment, JSON file), or anything else that
/// can answer a setting (a test's dictionary). Configuration structs build themselves from one,
/// so the pure cores that own them never see the configuration library.
package protocol SettingValues: Sendable {
    /// The value of `setting`: from the first layer that sets its key, else its default.
    /// - Throws: ``ServiceConfigError`` naming the key and the value when that value is not valid.
    func value<V>(_ setting: Setting<V>) throws(ServiceConfigError) -> V
}
