// SPDX-License-Identifier: GPL-2.0-or-later
// The engine facade: the one object both front doors (window and MCP) are given.
#pragma once

#include "engine/approvalqueue.h"
#include "engine/auditlog.h"
#include "engine/capabilities.h"
#include "engine/engineconfig.h"
#include "engine/privilege.h"
#include "engine/probecatalog.h"
#include "engine/runmanager.h"
#include "engine/runstore.h"
#include "engine/scriptanalyzer.h"
#include "engine/targets/targetregistry.h"

#include <QObject>

#include <memory>

class Engine : public QObject
{
    Q_OBJECT
public:
    explicit Engine(const EngineConfig &config = {}, QObject *parent = nullptr);
    ~Engine() override;

    /// Reloads history, then starts loading the probe catalog and capabilities (asynchronous).
    void start();

    const EngineConfig &config() const { return m_config; }
    const Privilege &privilege() const { return m_privilege; }
    RunManager *runs() const { return m_runs; }
    ApprovalQueue *approvals() const { return m_approvals; }
    ProbeCatalog *catalog() const { return m_catalog; }
    Capabilities *capabilities() const { return m_capabilities; }
    ScriptAnalyzer *analyzer() const { return m_analyzer; }
    /// Every target the person configured; the local one's parts are the ones above.
    TargetRegistry *targets() const { return m_targets; }
    RunStore *store() const { return m_store.get(); }
    AuditLog *audit() const { return m_audit.get(); }

    /// The one link between runs and approvals: client requests go to the queue, approved ones
    /// come back to be launched. Neither class knows the other; tests wire their own pair here too.
    static void connectApprovals(RunManager *runs, ApprovalQueue *approvals);

    /// Applies changed limits and approval settings at run time (the settings dialog).
    void setLimits(const RunLimits &limits);
    void setApprovalTimeoutSeconds(int seconds);
    /// Applies what of `config` takes effect at once (limits, approval timeout, whether clients
    /// may read the person's runs); the rest
    /// (privilege, endpoint) needs a restart (SettingsStore::needsRestart).
    void applySettings(const EngineConfig &config);

private:
    EngineConfig m_config;
    Privilege m_privilege;
    std::unique_ptr<RunStore> m_store;
    std::unique_ptr<AuditLog> m_audit;
    ScriptAnalyzer *m_analyzer;
    RunManager *m_runs;
    ApprovalQueue *m_approvals;
    ProbeCatalog *m_catalog;
    Capabilities *m_capabilities;
    TargetRegistry *m_targets;
};
