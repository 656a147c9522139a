// SPDX-License-Identifier: GPL-2.0-or-later
// Waiting without blocking: get_result's long-poll, stop_execution's wait for the end, and
// the probe tools' wait for the catalog or the capabilities to load.
#include "mcp/mcpwaiter.h"

#include "engine/capabilities.h"
#include "engine/probecatalog.h"
#include "engine/run.h"
#include "mcp/mcpcallcontext.h"

#include <QPointer>
#include <QTimer>

#include <memory>

McpWaiter::McpWaiter(QObject *parent, McpCancellation *cancellation, int timeoutMs, std::function<bool()> settled,
    std::function<void()> done)
    : QObject(parent)
    , m_settled(std::move(settled))
    , m_done(std::move(done))
{
    if (cancellation)
        QObject::connect(cancellation, &McpCancellation::cancelled, this, [this] { fire(); });
    if (timeoutMs > 0)
        QTimer::singleShot(timeoutMs, this, [this] { fire(); });
}

void McpWaiter::poke()
{
    if (!m_fired && (!m_settled || m_settled()))
        fire();
}

void McpWaiter::fire()
{
    if (m_fired)
        return;
    m_fired = true;
    auto done = std::move(m_done);
    deleteLater();
    done();
}

void McpWaiter::whenCatalogSettled(
    QObject *parent, ProbeCatalog *catalog, McpCancellation *cancellation, int timeoutMs, std::function<void()> ready)
{
    auto settled = [catalog = QPointer(catalog)] {
        return !catalog || catalog->status() == ProbeCatalog::Status::Ready
            || catalog->status() == ProbeCatalog::Status::Failed;
    };
    if (settled() || (cancellation && cancellation->isCancelled())) {
        ready();
        return;
    }
    if (catalog->status() == ProbeCatalog::Status::Empty)
        catalog->load();
    auto *waiter = new McpWaiter(parent, cancellation, timeoutMs, settled, std::move(ready));
    connect(catalog, &ProbeCatalog::statusChanged, waiter, [waiter] { waiter->poke(); });
    fireWhenDestroyed(catalog, waiter);
    waiter->poke();
}

void McpWaiter::whenCapabilitiesSettled(QObject *parent, Capabilities *capabilities, McpCancellation *cancellation,
    int timeoutMs, std::function<void()> ready)
{
    auto failed = std::make_shared<bool>(!capabilities->errorString().isEmpty());
    auto settled = [capabilities = QPointer(capabilities), failed] {
        return !capabilities || capabilities->isReady() || *failed;
    };
    if (settled() || (cancellation && cancellation->isCancelled())) {
        ready();
        return;
    }
    auto *waiter = new McpWaiter(parent, cancellation, timeoutMs, settled, std::move(ready));
    connect(capabilities, &Capabilities::ready, waiter, [waiter] { waiter->poke(); });
    connect(capabilities, &Capabilities::failed, waiter, [waiter, failed] {
        *failed = true;
        waiter->poke();
    });
    fireWhenDestroyed(capabilities, waiter);
    waiter->poke();
}

void McpWaiter::fireWhenDestroyed(QObject *object, McpWaiter *waiter)
{
    // Answered from the event loop, not from inside the destructor chain that removes the object.
    const auto fire = [waiter] { waiter->fire(); };
    connect(object, &QObject::destroyed, waiter, fire, Qt::QueuedConnection);
}

void McpWaiter::whenRunChanged(
    QObject *parent, Run *run, McpCancellation *cancellation, int timeoutMs, std::function<void()> done)
{
    auto *waiter = new McpWaiter(parent, cancellation, timeoutMs, nullptr, std::move(done));
    connect(run, &Run::outputAppended, waiter, [waiter] { waiter->poke(); });
    connect(run, &Run::stateChanged, waiter, [waiter] { waiter->poke(); });
    connect(run, &QObject::destroyed, waiter, [waiter] { waiter->poke(); });
}

void McpWaiter::whenRunEnded(
    QObject *parent, Run *run, McpCancellation *cancellation, int timeoutMs, std::function<void()> done)
{
    QPointer<Run> guarded(run);
    auto *waiter = new McpWaiter(
        parent, cancellation, timeoutMs, [guarded] { return !guarded || isTerminal(guarded->state()); },
        std::move(done));
    connect(run, &Run::stateChanged, waiter, [waiter] { waiter->poke(); });
    connect(run, &QObject::destroyed, waiter, [waiter] { waiter->fire(); });
}
