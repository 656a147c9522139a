// SPDX-License-Identifier: GPL-2.0-or-later
// Waiting without blocking: get_result's long-poll, stop_execution's wait for the end, and
// the probe tools' wait for the catalog or the capabilities to load.
#pragma once

#include <QObject>

#include <functional>

class Capabilities;
class McpCancellation;
class ProbeCatalog;
class Run;

/// Calls `done` exactly once: on a poke() whose `settled` check passes (no check: any poke),
/// on fire(), on timeout or on cancellation; then deletes itself. Connections made with the
/// waiter as context die with it; deleting its parent first drops `done` uncalled.
class McpWaiter : public QObject
{
    Q_OBJECT
public:
    McpWaiter(QObject *parent, McpCancellation *cancellation, int timeoutMs, std::function<bool()> settled,
        std::function<void()> done);

    void poke();
    void fire();

    /// Calls `ready` once the probe catalog is ready or failed (starting a load if none ran),
    /// destroyed (its target removed), after `timeoutMs`, or on cancellation; `ready` checks the
    /// status itself (through a QPointer, since the catalog may be gone).
    static void whenCatalogSettled(QObject *parent, ProbeCatalog *catalog, McpCancellation *cancellation, int timeoutMs,
        std::function<void()> ready);
    /// The same for bpftrace --info: ready, failed or destroyed.
    static void whenCapabilitiesSettled(QObject *parent, Capabilities *capabilities, McpCancellation *cancellation,
        int timeoutMs, std::function<void()> ready);
    /// Fires `waiter` soon after `object` is destroyed (a removed target's catalog, say).
    static void fireWhenDestroyed(QObject *object, McpWaiter *waiter);
    /// Calls `done` on the run's next output, change of state or destruction, after `timeoutMs`,
    /// or on cancellation.
    static void whenRunChanged(
        QObject *parent, Run *run, McpCancellation *cancellation, int timeoutMs, std::function<void()> done);
    /// Calls `done` once the run is terminal or destroyed, after `timeoutMs`, or on cancellation.
    static void whenRunEnded(
        QObject *parent, Run *run, McpCancellation *cancellation, int timeoutMs, std::function<void()> done);

private:
    std::function<bool()> m_settled;
    std::function<void()> m_done;
    bool m_fired = false;
};
