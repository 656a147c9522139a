// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/probebrowser.h"

#include "ui/probetreemodel.h"
#include "ui/targetselector.h"

#include "engine/targets/targetregistry.h"

#include <QFileInfo>
#include <QFontDatabase>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

ProbeBrowser::ProbeBrowser(ProbeCatalog *catalog, QWidget *parent)
    : QWidget(parent)
    , m_target(Target::LocalName)
    , m_targetBar(new QWidget(this))
    , m_filter(new QLineEdit(this))
    , m_refresh(new QToolButton(this))
    , m_status(new QLabel(this))
    , m_missing(new QLabel(this))
    , m_view(new QTreeView(this))
    , m_model(new ProbeTreeModel(this))
    , m_details(new QPlainTextEdit(this))
{
    // One worker: a newer filter waits behind at most one older one, which then finds itself
    // stale and stops early.
    m_pool.setMaxThreadCount(1);

    m_filter->setPlaceholderText(tr("Filter probes: text or glob (tracepoint:syscalls:*open*)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Probe filter"));
    m_refresh->setIcon(QIcon::fromTheme(u"view-refresh"_s));
    m_refresh->setText(tr("Refresh"));
    m_refresh->setToolTip(tr("List the probes again with bpftrace -l"));
    m_refresh->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_view->setModel(m_model);
    m_view->setHeaderHidden(true);
    m_view->setUniformRowHeights(true);
    m_view->setDragEnabled(true);
    m_view->setDragDropMode(QAbstractItemView::DragOnly);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setExpandsOnDoubleClick(true);

    m_details->setReadOnly(true);
    m_details->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_details->setPlaceholderText(tr("Select a probe to see its arguments."));
    m_details->setMaximumBlockCount(2000);

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    top->addWidget(m_filter, 1);
    top->addWidget(m_refresh);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    auto *targetLayout = new QHBoxLayout(m_targetBar);
    targetLayout->setContentsMargins(0, 0, 0, 0);
    targetLayout->addWidget(new QLabel(tr("Probes of:"), m_targetBar));
    m_targetBar->hide(); // until there is more than this machine to choose from
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_targetBar);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_missing);
    m_missing->setWordWrap(true);
    m_missing->setTextFormat(Qt::PlainText);
    m_missing->setObjectName(u"missingProbes"_s);
    m_missing->hide();
    layout->addWidget(splitter, 1);

    // Each keystroke would restart the worker; a short pause merges bursts of typing.
    m_typingTimer.setSingleShot(true);
    m_typingTimer.setInterval(80);
    connect(&m_typingTimer, &QTimer::timeout, this, &ProbeBrowser::startFilter);
    connect(m_filter, &QLineEdit::textEdited, this, [this] { m_typingTimer.start(); });
    connect(m_filter, &QLineEdit::returnPressed, this, [this] {
        m_typingTimer.stop();
        startFilter();
    });

    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this, &ProbeBrowser::showDetails);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex &index) {
        const QString probe = index.data(ProbeTreeModel::ProbeRole).toString();
        if (!probe.isEmpty())
            Q_EMIT insertRequested(probe, ProbeTreeModel::skeleton(probe));
    });

    connect(m_refresh, &QToolButton::clicked, this, [this] {
        if (m_catalog)
            m_catalog->load(true);
    });
    setCatalog(catalog);
}

ProbeBrowser::~ProbeBrowser()
{
    // A worker may still be building a tree; it posts to us when done, so wait for it (it
    // checks the generation and stops early).
    m_latest->store(~quint64(0));
    m_pool.clear();
    m_pool.waitForDone();
}

void ProbeBrowser::setCatalog(ProbeCatalog *catalog)
{
    if (m_catalog)
        disconnect(m_catalog, nullptr, this, nullptr);
    m_catalog = catalog;
    m_refresh->setEnabled(m_catalog != nullptr);
    m_detailsProbe.clear();
    m_details->clear();
    if (m_catalog) {
        connect(m_catalog, &ProbeCatalog::statusChanged, this, [this] {
            if (m_catalog->status() == ProbeCatalog::Status::Ready)
                setSnapshot(m_catalog->snapshot());
            updateStatus();
        });
    }
    // Another machine's probes replace these at once: while they load, none are shown rather
    // than the wrong machine's.
    setSnapshot(m_catalog && m_catalog->snapshot() ? m_catalog->snapshot() : nullptr);
}

void ProbeBrowser::setTargets(TargetRegistry *targets)
{
    if (m_targetChooser || !targets)
        return;
    m_targets = targets;
    m_targetChooser = new TargetSelector(targets, TargetSelector::Mode::TargetsOnly, m_targetBar);
    m_targetChooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_targetBar->layout()->addWidget(m_targetChooser);
    static_cast<QHBoxLayout *>(m_targetBar->layout())->addStretch(1);
    connect(m_targetChooser, &TargetSelector::chosenChanged, this, [this](const QString &name) { showTarget(name); });
    connect(targets, &TargetRegistry::targetsChanged, this, &ProbeBrowser::updateTargetBar);
    updateTargetBar();
}

QString ProbeBrowser::currentTarget() const
{
    return m_target;
}

bool ProbeBrowser::showTarget(const QString &name)
{
    if (!m_targets || !m_targets->find(name))
        return false;
    const QString target = m_targets->find(name)->name;
    if (m_targetChooser)
        m_targetChooser->choose(target);
    if (target == m_target && m_catalog)
        return true;
    m_target = target;
    // A remote target's catalog is made, and listed over its connection, on first use.
    setCatalog(m_targets->catalog(target));
    return true;
}

void ProbeBrowser::updateTargetBar()
{
    m_targetBar->setVisible(m_targets && m_targets->names().size() > 1);
    // The shown target was removed (its catalog with it): this machine's probes again.
    if (m_targets && !m_targets->find(m_target))
        showTarget(Target::LocalName);
}

void ProbeBrowser::setSnapshot(std::shared_ptr<const ProbeSnapshot> snapshot)
{
    m_snapshot = std::move(snapshot);
    startFilter();
}

void ProbeBrowser::setFilterText(const QString &text)
{
    m_filter->setText(text);
    m_typingTimer.stop();
    startFilter();
}

QString ProbeBrowser::filterText() const
{
    return m_filter->text();
}

void ProbeBrowser::startFilter()
{
    const quint64 generation = ++m_pendingGeneration;
    m_latest->store(generation);
    updateStatus();
    if (!m_snapshot) {
        applyResult(generation, nullptr, 0);
        return;
    }
    ProbeQuery query;
    query.pattern = m_filter->text().trimmed();
    query.limit = int(m_snapshot->probes.size());
    auto snapshot = m_snapshot;
    auto latest = m_latest;
    ProbeBrowser *self = this;
    m_pool.start([snapshot, query, latest, generation, self] {
        if (latest->load() != generation)
            return;
        std::shared_ptr<const ProbeTree> tree;
        int total = 0;
        if (query.pattern.isEmpty()) {
            tree = ProbeTree::build(snapshot->probes);
            total = int(snapshot->probes.size());
        } else {
            const ProbeQueryResult result = ProbeCatalog::query(*snapshot, query);
            if (latest->load() != generation)
                return;
            tree = ProbeTree::build(result.probes);
            total = result.total;
        }
        if (latest->load() != generation)
            return;
        // The browser waits for us in its destructor, so `self` is alive while we post; a posted
        // call dies with its receiver.
        QMetaObject::invokeMethod(
            self, [self, generation, tree, total] { self->applyResult(generation, tree, total); },
            Qt::QueuedConnection);
    });
}

void ProbeBrowser::applyResult(quint64 generation, std::shared_ptr<const ProbeTree> tree, int matches)
{
    if (generation != m_pendingGeneration)
        return; // a newer filter is on its way
    const QString current = m_detailsProbe;
    m_appliedGeneration = generation;
    m_matchCount = matches;
    m_model->setTree(std::move(tree));
    // Small results are worth seeing opened; 150,000 expanded rows are not.
    if (m_matchCount > 0 && m_matchCount <= 200)
        m_view->expandAll();
    else if (m_model->rowCount() == 1)
        m_view->expand(m_model->index(0, 0));
    if (!current.isEmpty() && m_matchCount <= 5000)
        selectProbe(current);
    updateStatus();
    Q_EMIT filtered(matches, generation);
}

bool ProbeBrowser::selectProbe(const QString &probe)
{
    QString provider, category, leaf;
    ProbeTree::split(probe, &provider, &category, &leaf);
    QModelIndex parent;
    QStringList path { provider };
    if (!category.isEmpty())
        path.append(category);
    for (const QString &label : std::as_const(path)) {
        QModelIndex found;
        for (int row = 0; row < m_model->rowCount(parent); ++row) {
            const QModelIndex candidate = m_model->index(row, 0, parent);
            if (candidate.data(ProbeTreeModel::ProbeRole).toString().isEmpty()
                && candidate.data(Qt::DisplayRole).toString().startsWith(label + u" ("_s)) {
                found = candidate;
                break;
            }
        }
        if (!found.isValid())
            return false;
        parent = found;
    }
    for (int row = 0; row < m_model->rowCount(parent); ++row) {
        const QModelIndex candidate = m_model->index(row, 0, parent);
        if (candidate.data(ProbeTreeModel::ProbeRole).toString() == probe) {
            m_view->setCurrentIndex(candidate);
            m_view->scrollTo(candidate);
            return true;
        }
    }
    return false;
}

void ProbeBrowser::showDetails(const QModelIndex &index)
{
    const QString probe = index.data(ProbeTreeModel::ProbeRole).toString();
    m_detailsProbe = probe;
    if (probe.isEmpty()) {
        m_details->setPlainText(index.isValid() ? index.data(Qt::ToolTipRole).toString() : QString());
        return;
    }
    m_details->setPlainText(probe + u"\n\n"_s + tr("Loading arguments…"));
    if (!m_catalog) {
        m_details->setPlainText(probe);
        return;
    }
    m_catalog->describe(probe, this, [this, probe](const ProbeDetails &details) {
        if (m_detailsProbe != probe)
            return;
        QString text = probe + u"\n\n"_s;
        if (!details.error.isEmpty())
            text += tr("No arguments: %1").arg(details.error);
        else if (details.arguments.isEmpty())
            text += tr("This probe has no arguments.");
        else {
            text += tr("Arguments (args.NAME):") + u'\n';
            for (const ProbeArgument &argument : details.arguments)
                text += u"    "_s + argument.type + u' ' + argument.name + u'\n';
        }
        m_details->setPlainText(text);
    });
}

QString ProbeBrowser::detailsText() const
{
    return m_details->toPlainText();
}

QString ProbeBrowser::statusText() const
{
    return m_status->text();
}

void ProbeBrowser::updateStatus()
{
    QString text;
    const bool remote = m_target != Target::LocalName;
    if (m_catalog && m_catalog->status() == ProbeCatalog::Status::Loading)
        text = remote ? tr("Listing probes on %1…").arg(m_target) : tr("Listing probes…");
    else if (m_catalog && m_catalog->status() == ProbeCatalog::Status::Failed)
        text = remote ? tr("Could not list probes on %1: %2").arg(m_target, m_catalog->errorString())
                      : tr("Could not list probes: %1").arg(m_catalog->errorString());
    else if (!m_catalog && remote)
        text = tr("%1 is no longer configured.").arg(m_target);
    else if (!m_snapshot)
        text = tr("No probes loaded yet.");
    else if (isFiltering())
        text = tr("Filtering %L1 probes…").arg(m_snapshot->probes.size());
    else if (m_filter->text().trimmed().isEmpty())
        text = tr("%L1 probes").arg(m_snapshot->probes.size());
    else
        text = tr("%L1 of %L2 probes match").arg(m_matchCount).arg(m_snapshot->probes.size());
    m_status->setText(text);

    QString missing = m_snapshot ? missingProbesExplanation(*m_snapshot,
                                       { u"/sys/kernel/tracing/available_filter_functions"_s,
                                           u"/sys/kernel/debug/tracing/available_filter_functions"_s })
                                 : QString();
    // The paths above are this machine's; of another one's tracefs nothing is known here.
    if (remote && !missing.isEmpty())
        missing = tr("No kprobes or kfuncs on %1: its bpftrace could not list the kernel's traceable functions "
                     "there. Tracepoints and the other providers still work.")
                      .arg(m_target);
    m_missing->setText(missing);
    m_missing->setVisible(!missing.isEmpty());
}

QString ProbeBrowser::missingProbesText() const
{
    return m_missing->text();
}

QString ProbeBrowser::missingProbesExplanation(const ProbeSnapshot &snapshot, const QStringList &filterFunctionsPaths)
{
    for (const QString &provider : { u"kprobe"_s, u"fentry"_s, u"kfunc"_s }) {
        if (snapshot.providerCounts.value(provider) > 0)
            return {};
    }
    // bpftrace lists kprobes and kfuncs from tracefs; when it cannot read that file it prints
    // a warning and lists the rest, so the tree would just lack them without a word.
    QString why;
    bool exists = false;
    for (const QString &path : filterFunctionsPaths) {
        const QFileInfo info(path);
        if (!info.exists())
            continue;
        exists = true;
        if (!info.isReadable()) {
            why = tr("%1 is not readable here (a locked-down kernel, or tracefs is only for root).").arg(path);
            break;
        }
    }
    if (why.isEmpty()) {
        why = exists ? tr("bpftrace could not read the kernel's list of traceable functions "
                          "(a locked-down kernel or a virtual machine that hides it).")
                     : tr("The kernel offers no list of traceable functions (tracefs is not mounted, or "
                          "the kernel was built without function tracing).");
    }
    return tr("No kprobes or kfuncs: %1 Tracepoints and the other providers still work. Uprobes are never "
              "listed without a program; write them as uprobe:/path/to/binary:function.")
        .arg(why);
}
