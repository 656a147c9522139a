// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/runview.h"

#include "ui/chartexport.h"
#include "ui/fleetmapsview.h"
#include "ui/mapsview.h"
#include "ui/outputview.h"
#include "ui/runlistmodel.h"
#include "ui/scripteditor.h"

#include "engine/inerttext.h"
#include "engine/results/fleetresults.h"
#include "engine/run.h"
#include "engine/runmanager.h"

#include "ui/uihelpers.h"
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QResizeEvent>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

RunView::RunView(RunManager *runs, QWidget *parent)
    : QWidget(parent)
    , m_runs(runs)
    , m_title(new QLabel(this))
    , m_details(new QLabel(this))
    , m_stop(new QPushButton(QIcon::fromTheme(u"process-stop"_s), tr("S&top"), this))
    , m_exportOutput(new QPushButton(QIcon::fromTheme(u"document-save-as"_s), tr("Export &output…"), this))
    , m_exportMaps(new QPushButton(QIcon::fromTheme(u"document-save-as"_s), tr("Export &maps…"), this))
    , m_openInEditor(new QPushButton(QIcon::fromTheme(u"document-edit"_s), tr("&Edit"), this))
    , m_runAgain(new QPushButton(QIcon::fromTheme(u"view-refresh"_s), tr("Run &again"), this))
    , m_delete(new QPushButton(QIcon::fromTheme(u"edit-delete"_s), tr("&Delete"), this))
    , m_tabs(new QTabWidget(this))
    , m_output(new OutputView(this))
    , m_maps(new MapsView(this))
    , m_fleetMaps(new FleetMapsView(this))
    , m_mapsStack(new QStackedWidget(this))
    , m_fleetRefresh(new QTimer(this))
    , m_problems(new QListWidget(this))
    , m_script(new ScriptEditor(this))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The details quote the client (name, reason): plain text, never guessed to be HTML.
    m_title->setTextFormat(Qt::PlainText);
    m_details->setTextFormat(Qt::PlainText);
    // One line each, elided, the whole text in the tooltip: the header never grows into a wall
    // of wrapped text above the output (the failure itself is under Problems).
    m_details->setWordWrap(false);
    m_details->setMinimumWidth(1);
    m_title->setMinimumWidth(1);
    for (QPushButton *button : { m_openInEditor, m_runAgain, m_stop, m_exportOutput, m_exportMaps, m_delete })
        button->setAutoDefault(false);
    // The run view's buttons must not set the window's minimum width (1280x800 with a request
    // waiting): below the room their labels need they show only their icons (see resizeEvent).
    setMinimumWidth(320);
    for (QPushButton *button : { m_openInEditor, m_runAgain, m_stop, m_exportOutput, m_exportMaps, m_delete }) {
        button->setProperty("fullText", button->text());
        if (button->toolTip().isEmpty())
            button->setToolTip(QString(button->text()).remove(u'&'));
    }
    m_openInEditor->setToolTip(tr("Open this run's script in the editor"));
    m_runAgain->setToolTip(tr("Start the same script again as your own run"));
    m_delete->setToolTip(tr("Delete this run from the history"));
    m_stop->setToolTip(tr("Stop the run: bpftrace gets SIGINT and prints its maps"));

    m_script->setReadOnly(true);
    m_script->setLiveAnalysis(false);
    m_tabs->addTab(m_output, QIcon::fromTheme(u"utilities-terminal"_s), tr("Output"));
    m_mapsStack->addWidget(m_maps);
    m_mapsStack->addWidget(m_fleetMaps);
    m_tabs->addTab(m_mapsStack, QIcon::fromTheme(u"view-statistics"_s), tr("Maps"));
    m_fleetRefresh->setSingleShot(true);
    m_fleetRefresh->setInterval(250);
    connect(m_fleetRefresh, &QTimer::timeout, this, &RunView::updateFleetMaps);
    // A reason is a sentence or two: wrapped at the view's width, not one line to scroll along.
    m_problems->setWordWrap(true);
    m_problems->setResizeMode(QListView::Adjust);
    m_problems->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_problems->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_tabs->addTab(m_problems, QIcon::fromTheme(u"data-warning"_s), tr("Problems"));
    m_tabs->addTab(m_script, QIcon::fromTheme(u"text-x-script"_s), tr("Script"));

    auto *header = new QHBoxLayout;
    auto *text = new QVBoxLayout;
    text->setSpacing(2);
    text->addWidget(m_title);
    text->addWidget(m_details);
    header->addLayout(text, 1);
    header->addWidget(m_openInEditor);
    header->addWidget(m_runAgain);
    header->addWidget(m_exportOutput);
    header->addWidget(m_exportMaps);
    header->addWidget(m_stop);
    header->addWidget(m_delete);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(header);
    layout->addWidget(m_tabs, 1);

    connect(m_stop, &QPushButton::clicked, this, [this] {
        if (!m_run)
            return;
        Q_EMIT stopRequested(m_run);
        if (m_runs)
            m_runs->stop(m_run->id());
    });
    connect(m_openInEditor, &QPushButton::clicked, this, [this] {
        if (m_run)
            Q_EMIT openInEditorRequested(m_run);
    });
    connect(m_runAgain, &QPushButton::clicked, this, [this] {
        if (m_run)
            Q_EMIT runAgainRequested(m_run);
    });
    connect(m_delete, &QPushButton::clicked, this, [this] {
        if (m_run)
            Q_EMIT deleteRequested(m_run);
    });
    connect(m_exportOutput, &QPushButton::clicked, this, &RunView::exportOutput);
    connect(m_exportMaps, &QPushButton::clicked, this, &RunView::exportMaps);
    setRun(nullptr);
}

void RunView::setRun(Run *run)
{
    if (m_run)
        disconnect(m_run, nullptr, this, nullptr);
    if (m_run) {
        for (Run *host : m_run->hostRuns())
            disconnect(host, nullptr, this, nullptr);
    }
    m_run = run;
    m_output->setRun(run);
    // A fleet run's maps are shown merged and per host; any other run's as they are.
    const bool fleet = run && run->isFleet();
    m_maps->setRun(fleet ? nullptr : run);
    m_mapsStack->setCurrentWidget(fleet ? static_cast<QWidget *>(m_fleetMaps) : m_maps);
    m_fleetRefresh->stop();
    updateFleetMaps();
    // A client's script as the person reads it elsewhere: hidden characters shown, never obeyed.
    m_script->setPlainText(run ? InertText::block(run->script()) : QString());
    if (run) {
        m_tabs->setCurrentIndex(tabFor(run));
        connect(run, &Run::stateChanged, this, &RunView::onStateChanged);
        connect(run, &Run::statsChanged, this, &RunView::updateHeader);
        connect(run, &Run::diagnosticsChanged, this, &RunView::updateProblems);
        connect(run, &Run::analysisChanged, this, &RunView::updateProblems);
        connect(run, &Run::mapsChanged, this, &RunView::updateHeader);
        if (fleet) {
            // Every host's state is in the fleet view's summary, its maps in the merge.
            auto refresh = [this] {
                if (!m_fleetRefresh->isActive())
                    m_fleetRefresh->start();
            };
            connect(run, &Run::mapsChanged, this, refresh);
            connect(run, &Run::stateChanged, this, refresh);
            for (Run *host : run->hostRuns())
                connect(host, &Run::stateChanged, this, refresh);
        }
    }
    updateHeader();
    updateProblems();
}

bool RunView::isShowingFleetMaps() const
{
    return m_mapsStack->currentWidget() == m_fleetMaps;
}

void RunView::updateFleetMaps()
{
    // Merging is not free: done here, a few times a second at most, and the header reads it.
    m_fleetMaps->setFleetResults(m_run && m_run->isFleet() ? m_run->fleetResults() : FleetResults());
    updateHeader();
}

QString RunView::headerText() const
{
    return m_title->text() + u'\n' + m_fullDetails;
}

int RunView::tabFor(const Run *run)
{
    if (!run)
        return 0;
    if (run->state() == RunState::Failed)
        return 2;
    if (!run->maps().isEmpty())
        return 1;
    return 0;
}

void RunView::onStateChanged()
{
    updateHeader();
    // The run just ended: show what it left (its maps, or why it failed).
    if (m_run && isTerminal(m_run->state())) {
        updateProblems();
        m_tabs->setCurrentIndex(tabFor(m_run));
    }
}

void RunView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    const QList<QPushButton *> buttons { m_openInEditor, m_runAgain, m_exportOutput, m_exportMaps, m_stop, m_delete };
    int labelled = 0;
    for (QPushButton *button : buttons) {
        const QString text = button->property("fullText").toString();
        labelled += button->iconSize().width() + fontMetrics().horizontalAdvance(QString(text).remove(u'&')) + 32;
    }
    // The title and details keep at least a third of the width.
    const bool withText = labelled <= event->size().width() * 2 / 3;
    for (QPushButton *button : buttons)
        button->setText(withText || button->icon().isNull() ? button->property("fullText").toString() : QString());
    updateHeader();
}

void RunView::updateHeader()
{
    if (!m_run) {
        m_title->setText(tr("No run selected"));
        m_fullDetails = tr("Write a script and press Run (Ctrl+R), or pick a run from the list.");
        m_details->setText(m_fullDetails);
        m_details->setToolTip(QString());
        for (QPushButton *button : { m_openInEditor, m_runAgain, m_delete })
            button->setEnabled(false);
        m_stop->setEnabled(false);
        m_exportOutput->setEnabled(false);
        m_exportMaps->setEnabled(false);
        return;
    }
    m_title->setText(tr("%1 — %2").arg(m_run->id(), RunListModel::stateText(m_run)));
    QStringList parts;
    parts.append(tr("asked by %1").arg(InertText::line(RunListModel::whoAsked(m_run))));
    // Where it runs: this machine says nothing, as before there were targets.
    if (m_run->isFleet()) {
        // Waiting for approval: how many hosts; while it runs: how many have bpftrace going
        // (the others connect, wait their turn or have ended); once it ended: how many hosts the
        // merged maps cover.
        QString hosts;
        if (isTerminal(m_run->state())) {
            hosts = m_run->fleetResults().coverage(); // kept by the run: not merged again here
        } else if (m_run->state() == RunState::PendingApproval) {
            hosts = tr("%n hosts", "", int(m_run->hostRuns().size()));
        } else {
            const QList<Run *> &hostRuns = m_run->hostRuns();
            const auto running = std::count_if(hostRuns.cbegin(), hostRuns.cend(), [](const Run *host) {
                return host->state() == RunState::Running || host->state() == RunState::Stopping;
            });
            hosts = tr("%1 of %n running", "", int(hostRuns.size())).arg(running);
        }
        parts.append(tr("on %1 (%2)").arg(m_run->targets().join(u", "_s), hosts));
    } else if (!m_run->target().isEmpty())
        parts.append(tr("on %1").arg(m_run->target()));
    if (m_run->durationSeconds() > 0)
        parts.append(tr("ran %1").arg(RunListModel::durationText(m_run->durationSeconds())));
    parts.append(tr("%n probes attached", "", m_run->attachedProbes()));
    if (m_run->lostEvents() > 0)
        parts.append(tr("%L1 events lost").arg(m_run->lostEvents()));
    if (m_run->scriptEdited())
        parts.append(tr("script edited before approval"));
    QString details = parts.join(u" · "_s);
    if (!m_run->reason().isEmpty())
        details += u'\n' + tr("Reason: %1").arg(InertText::line(m_run->reason()));
    if (!m_run->failureReason().isEmpty())
        details += u'\n' + InertText::block(m_run->failureReason());
    if (!m_run->decisionMessage().isEmpty())
        details += u'\n' + tr("Decision: %1").arg(InertText::line(m_run->decisionMessage()));
    m_fullDetails = details;
    // The first line only, elided to the room there is; all of it in the tooltip.
    const QString first = details.section(u'\n', 0, 0);
    const int room = std::max(40, m_details->width());
    const QString shown = m_details->fontMetrics().elidedText(first, Qt::ElideRight, room);
    m_details->setText(details.contains(u'\n') && shown == first ? first + u" …"_s : shown);
    m_details->setToolTip(UiHelpers::plainToolTip(details));
    m_openInEditor->setEnabled(true);
    m_runAgain->setEnabled(m_runs != nullptr);
    m_delete->setEnabled(m_runs != nullptr && isTerminal(m_run->state()));
    const bool stoppable = isActive(m_run->state()) || m_run->state() == RunState::PendingApproval;
    m_stop->setEnabled(stoppable && m_run->state() != RunState::Stopping);
    m_exportOutput->setEnabled(m_run->totalLines() > 0);
    m_exportMaps->setEnabled(!m_run->maps().isEmpty());
}

void RunView::updateProblems()
{
    m_problems->clear();
    if (!m_run)
        return;
    QList<Diagnostic> diagnostics = m_run->diagnostics();
    // Why it failed, first, where no error the run's bpftrace printed says it already (a launch
    // refused, a lost connection, a crash): the tab a failed run opens on says why. The check's
    // errors (added below) are about the script, not about this run's end.
    const bool runErrorListed = std::any_of(diagnostics.cbegin(), diagnostics.cend(),
        [](const Diagnostic &d) { return d.severity == Diagnostic::Severity::Error; });
    if (m_run->state() == RunState::Failed && !m_run->failureReason().isEmpty() && !runErrorListed)
        new QListWidgetItem(QIcon::fromTheme(u"data-error"_s), m_run->failureReason(), m_problems);
    for (const Diagnostic &d : m_run->analysis().diagnostics) {
        if (!diagnostics.contains(d))
            diagnostics.append(d);
    }
    for (const Diagnostic &d : std::as_const(diagnostics)) {
        const QString where = d.line > 0 ? tr("line %1: ").arg(d.line) : QString();
        auto *item = new QListWidgetItem(where + d.message, m_problems);
        item->setIcon(
            QIcon::fromTheme(d.severity == Diagnostic::Severity::Error ? u"data-error"_s : u"data-warning"_s));
    }
    for (const QString &reason : m_run->analysis().reasons())
        new QListWidgetItem(QIcon::fromTheme(u"data-information"_s), reason, m_problems);
    m_tabs->setTabText(2, m_problems->count() ? tr("Problems (%1)").arg(m_problems->count()) : tr("Problems"));
    m_script->setExternalDiagnostics(m_run->diagnostics());
}

void RunView::exportOutput()
{
    if (!m_run)
        return;
    auto *dialog = new QFileDialog(this, tr("Export output"), ChartExport::savePath(m_run->id() + u".txt"_s),
        tr("Text files (*.txt);;All files (*)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<Run> run = m_run;
    connect(dialog, &QFileDialog::fileSelected, this, [this, run](const QString &path) {
        QString error;
        if (run && !OutputView::exportOutput(run, path, &error))
            UiHelpers::showWarning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
    });
    dialog->open();
}

void RunView::exportMaps()
{
    if (!m_run)
        return;
    auto *dialog = new QFileDialog(this, tr("Export maps"), ChartExport::savePath(m_run->id() + u"-maps.json"_s),
        tr("JSON (*.json);;Text as bpftrace prints it (*.txt)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<Run> run = m_run;
    connect(dialog, &QFileDialog::fileSelected, this, [this, run](const QString &path) {
        QString error;
        if (run && !MapsView::exportMaps(run->maps(), path, &error))
            UiHelpers::showWarning(this, tr("Export failed"), tr("Could not write %1: %2").arg(path, error));
    });
    dialog->open();
}
