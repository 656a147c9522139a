// SPDX-License-Identifier: GPL-2.0-or-later
// The probe browser: filter (on a worker thread), tree, match count, details with arguments.
#pragma once

#include "engine/probecatalog.h"

#include <QPointer>
#include <QThreadPool>
#include <QTimer>
#include <QWidget>

#include <atomic>
#include <memory>

class ProbeTreeModel;
class TargetRegistry;
class TargetSelector;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QTreeView;
class QToolButton;

class ProbeBrowser : public QWidget
{
    Q_OBJECT
public:
    /// `catalog` may be null (tests feed snapshots with setSnapshot()).
    explicit ProbeBrowser(ProbeCatalog *catalog, QWidget *parent = nullptr);
    ~ProbeBrowser() override;

    /// Shows another catalog's probes (null: none): its snapshot when it has one, else its
    /// loading or failure state until it has.
    void setCatalog(ProbeCatalog *catalog);
    ProbeCatalog *catalog() const { return m_catalog; }
    /// Offers the registry's targets above the filter (when there is more than this machine):
    /// choosing one shows that target's catalog, listed on first use.
    void setTargets(TargetRegistry *targets);
    /// The target whose probes are shown ("local" unless another was chosen).
    QString currentTarget() const;
    /// Shows the probes of a configured target; false when there is no such target.
    bool showTarget(const QString &name);
    /// Null until setTargets().
    TargetSelector *targetChooser() const { return m_targetChooser; }

    void setSnapshot(std::shared_ptr<const ProbeSnapshot> snapshot);
    /// Returns at once: filtering and building the tree run on a worker thread; results of an
    /// older filter that arrive late are dropped (generation counter). filtered() reports.
    void setFilterText(const QString &text);
    QString filterText() const;

    int matchCount() const { return m_matchCount; }
    bool isFiltering() const { return m_pendingGeneration != m_appliedGeneration; }
    ProbeTreeModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }
    QLineEdit *filterEdit() const { return m_filter; }
    QString detailsText() const;
    QString statusText() const;
    /// Why kprobes and kfuncs are missing from the listing ("" when the kernel offers some).
    QString missingProbesText() const;
    /// The explanation for a snapshot without kernel-function probes: tracefs'
    /// available_filter_functions at `filterFunctionsPaths` absent or unreadable, what still
    /// works, and that uprobes are listed per binary. "" when kprobes or fentry probes are there.
    static QString missingProbesExplanation(const ProbeSnapshot &snapshot, const QStringList &filterFunctionsPaths);

    /// Selects a probe in the tree (expanding its parents) and shows its details.
    bool selectProbe(const QString &probe);

Q_SIGNALS:
    /// A filter result was applied to the tree.
    void filtered(int matches, quint64 generation);
    /// Double-click or Enter on a probe: the window inserts `skeleton` into the editor.
    void insertRequested(const QString &probe, const QString &skeleton);

private:
    void startFilter();
    void applyResult(quint64 generation, std::shared_ptr<const class ProbeTree> tree, int matches);
    void showDetails(const QModelIndex &index);
    void updateStatus();
    void updateTargetBar();

    QPointer<ProbeCatalog> m_catalog;
    QPointer<TargetRegistry> m_targets;
    QString m_target; ///< whose catalog m_catalog is
    std::shared_ptr<const ProbeSnapshot> m_snapshot;
    QThreadPool m_pool;
    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
    quint64 m_pendingGeneration = 0;
    quint64 m_appliedGeneration = 0;
    int m_matchCount = 0;
    QTimer m_typingTimer;

    QWidget *m_targetBar;
    TargetSelector *m_targetChooser = nullptr;
    QLineEdit *m_filter;
    QToolButton *m_refresh;
    QLabel *m_status;
    QLabel *m_missing;
    QTreeView *m_view;
    ProbeTreeModel *m_model;
    QPlainTextEdit *m_details;
    QString m_detailsProbe;
};
