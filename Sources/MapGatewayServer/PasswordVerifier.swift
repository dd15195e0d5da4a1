import Blocking
import Metrics
package import MapGatewayCore
import Shared
import Synchronization

/// Runs password checks (``ViewerAuth/verify(_:)``, deliberately slow PBKDF2) on threads of their
/// own, at most `concurrency` at once: never on Swift's cooperative pool, so however many wrong
/// passwords arrive, tiles, the API and `/healthz` are answered meanwhile. Further checks wait
/// (suspended, holding no thread) for one of the `concurrency` ``BlockingExecutor``s.
package final class PasswordVerifier: Sendable {
    private struct State {
        var free: [BlockingExecutor]
        var waiters: [CheckedContinuation<BlockingExecutor, Never>] = []
    }

    private let state: Mutex<State>
    private let startedCount = Atomic<Int>(0)
    private let finishedCount = Atomic<Int>(0)

    /// - Parameter concurrency: checks run at once (``GatewayConfiguration/authConcurrency``).
    package init(concurrency: Int) {
        state = Mutex(State(free: (0..<max(1, concurrency)).map { BlockingExecutor(label: "kafkatorio.gateway.password.\($0)") }))
    }

    /// Checks started so far (for tests).
    package var started: Int { startedCount.load(ordering: .relaxed) }
    /// Checks finished so far (for tests).
    package var finished: Int { finishedCount.load(ordering: .relaxed) }

    /// Checks `credential` against `auth`'s users on one of the executors.
    package func verify(_ credential: BasicCredential, with auth: ViewerAuth) async -> PasswordCheck {
        let executor = await acquire()
        defer { release(executor) }
        return await executor.run {
            startedCount.add(1, ordering: .relaxed)
            defer { finishedCount.add(1, ordering: .relaxed) }
            return auth.verify(credential)
        }
    }

    private func acquire() async -> BlockingExecutor {
        if let executor = state.withLock({ $0.free.popLast() }) { return executor }
        return await withCheckedContinuation { (waiter: CheckedContinuation<BlockingExecutor, Never>) in
            // An executor may have come back between the two locks.
            let executor: BlockingExecutor? = state.withLock { state in
                if let executor = state.free.popLast() { return executor }
                state.waiters.append(waiter)
                return nil
            }
            if let executor { waiter.resume(returning: executor) }
        }
    }

    private func release(_ executor: BlockingExecutor) {
        let waiter: CheckedContinuation<BlockingExecutor, Never>? = state.withLock { state in
            guard !state.waiters.isEmpty else {
                state.free.append(executor)
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: executor)
    }
}

/// Viewer authentication as the server enforces it: ``ViewerAuth``'s verdict, password checks
/// through the ``PasswordVerifier``, and ``AuthFailureThrottle`` per client (429 with
/// `Retry-After` while a client that failed too often must wait). One per application, shared by
/// the HTTP and WebSocket routers.
package final class ViewerGate: Sendable {
    package let auth: ViewerAuth
    package let verifier: PasswordVerifier
    private let throttle: Mutex<AuthFailureThrottle>
    private let metrics: GatewayMetrics?

    /// - Parameter throttle: the failure throttle's parameters (tests lengthen its delays).
    package init(
        auth: ViewerAuth, concurrency: Int, metrics: GatewayMetrics?, throttle: AuthFailureThrottle = AuthFailureThrottle()
    ) {
        self.auth = auth
        self.throttle = Mutex(throttle)
        self.verifier = PasswordVerifier(concurrency: concurrency)
        self.metrics = metrics
    }

    /// The viewer of a request from `client` (its resolved address) carrying `authorization`,
    /// `queryToken` and `cookie`, and whether to set the session cookie.
    /// - Throws: ``GatewayError/tooManyRequests(retryAfterSeconds:)`` while `client` must wait,
    ///   ``GatewayError/unauthorized(basic:)`` without a valid credential.
    package func admit(
        client: String, authorization: String?, queryToken: String?, cookie: String?
    ) async throws(GatewayError) -> (viewer: String, setCookie: Bool) {
        let now = WallClock.nowMillis()
        if let wait = throttle.withLock({ $0.retryAfterMillis(client: client, now: now) }) {
            metrics?.authThrottled.increment()
            throw .tooManyRequests(retryAfterSeconds: Int((wait + 999) / 1000))
        }
        switch auth.authenticate(authorization: authorization, queryToken: queryToken, cookie: cookie) {
        case .viewer(let viewer, let setCookie):
            return (viewer, setCookie)
        case .password(let credential):
            let check = await verifier.verify(credential, with: auth)
            if let user = check.user {
                throttle.withLock { $0.succeeded(client: client) }
                return (user, true)
            }
            throttle.withLock { $0.failed(client: client, now: WallClock.nowMillis()) }
        case .denied(let presented):
            if presented { throttle.withLock { $0.failed(client: client, now: now) } }
        }
        throw .unauthorized(basic: !auth.users.isEmpty)
    }
}
