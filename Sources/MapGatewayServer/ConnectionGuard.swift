import HTTPTypes
import Logging
import Metrics
import MapGatewayCore
import NIOCore
import NIOHTTPTypes
import Synchronization

/// What the handlers behind ``ConnectionGuard`` tell it, as outbound user events.
enum ConnectionActivity: Sendable {
    /// A request head was parsed.
    case requestStarted
    /// Every request read so far is answered; `partialHeadBuffered`: bytes of a next head wait.
    case requestsAnswered(partialHeadBuffered: Bool)
}

/// The first handler of every connection: closes a connection over the cap at once, and carries
/// out ``ConnectionGuardMachine`` (header-read and idle timeouts) for the tile fast path and the
/// normal stack. It only watches: bytes pass through untouched.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var machine: ConnectionGuardMachine
    private let admitted: Bool
    private let metrics: GatewayMetrics?
    private var timer: (deadline: UInt64, task: Scheduled<Void>)?

    /// - Parameter admitted: whether the connection got a slot (``ConnectionLimiter``); one that
    ///   did not is closed as soon as it is active.
    init(headerTimeoutSeconds: Int, idleTimeoutSeconds: Int, admitted: Bool, metrics: GatewayMetrics?) {
        machine = ConnectionGuardMachine(
            now: NIODeadline.now().uptimeNanoseconds, headerTimeout: UInt64(headerTimeoutSeconds) * 1_000_000_000,
            idleTimeout: UInt64(idleTimeoutSeconds) * 1_000_000_000)
        self.admitted = admitted
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        let action = bytes.withUnsafeReadableBytes { machine.bytesRead($0, now: NIODeadline.now().uptimeNanoseconds) }
        carryOut(action, context: context)
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let activity = event as? ConnectionActivity else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        switch activity {
        case .requestStarted:
            machine.requestStarted()
        case .requestsAnswered(let partial):
            carryOut(
                machine.requestsAnswered(partialHeadBuffered: partial, now: NIODeadline.now().uptimeNanoseconds),
                context: context)
        }
        promise?.succeed()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard admitted else {
            metrics?.connectionsRefused.increment()
            return close(context)
        }
        if timer == nil { carryOut(machine.initialAction, context: context) }
    }

    private func carryOut(_ action: ConnectionGuardMachine.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            return
        case .schedule(let deadline):
            // One timer at a time: a later deadline is looked at again when the earlier one fires.
            if let timer, timer.deadline <= deadline { return }
            timer?.task.cancel()
            let task = context.eventLoop.assumeIsolated().scheduleTask(
                deadline: NIODeadline.uptimeNanoseconds(deadline)
            ) { [self] in
                timer = nil
                carryOut(machine.timerFired(now: NIODeadline.now().uptimeNanoseconds), context: context)
            }
            timer = (deadline, task)
        case .closeHeaderTimeout:
            metrics?.headerTimeouts.increment()
            close(context)
        case .closeIdleTimeout:
            metrics?.idleTimeouts.increment()
            close(context)
        }
    }

    /// Closes the connection. The normal stack, which may still wait for a first request, is
    /// told that no request will come (so it ends without reporting the close as an error).
    private func close(_ context: ChannelHandlerContext) {
        timer?.task.cancel()
        timer = nil
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        context.close(promise: nil)
    }
}

/// Behind the HTTP codec of the normal stack: tells ``ConnectionGuard`` when a request head was
/// parsed and when every request read so far is answered.
final class RequestActivityHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var inFlight = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            inFlight += 1
            context.triggerUserOutboundEvent(ConnectionActivity.requestStarted, promise: nil)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd = if case .end = unwrapOutboundIn(data) { true } else { false }
        context.write(data, promise: promise)
        guard isEnd, inFlight > 0 else { return }
        inFlight -= 1
        if inFlight == 0 {
            context.triggerUserOutboundEvent(ConnectionActivity.requestsAnswered(partialHeadBuffered: false), promise: nil)
        }
    }
}

/// The connection cap: a slot per open connection, given back when it closes.
final class ConnectionLimiter: Sendable {
    let capacity: Int
    private let open = Atomic<Int>(0)

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Connections holding a slot.
    var count: Int { open.load(ordering: .relaxed) }

    /// Takes a slot for `channel` and gives it back when the channel closes; false (and no slot)
    /// when all are taken.
    func admit(_ channel: any Channel) -> Bool {
        let (taken, _) = open.wrappingAdd(1, ordering: .relaxed)
        guard taken < capacity else {
            open.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        channel.closeFuture.whenComplete { _ in self.open.wrappingSubtract(1, ordering: .relaxed) }
        return true
    }
}
