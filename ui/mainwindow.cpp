// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/mainwindow.h"

#include "engine/settingsstore.h"
#include "ui/approvalpanel.h"
#include "ui/capabilitiesdialog.h"
#include "ui/endpointpanel.h"
#include "ui/probebrowser.h"
#include "ui/runlistmodel.h"
#include "ui/runspanel.h"
#include "ui/runview.h"
#include "ui/scripteditor.h"
#include "ui/settingsdialog.h"
#include "ui/statuscolors.h"
#include "ui/uihelpers.h"
#include "ui/uilogging.h"

#include "engine/analysissummary.h"
#include "engine/engine.h"
#include "engine/examplelibrary.h"
#include "engine/inerttext.h"
#include "mcp/mcpserver.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QMenuBar>
#include <QMessageBox>
#include <QSaveFile>
#include <QSettings>
#include <QShowEvent>
#include <QSplitter>
#include <QStatusBar>
#include <QSystemTrayIcon>
#include <QTextCursor>
#include <QTimer>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
constexpr int layoutVersion = 1;
constexpr int maxRecentFiles = 8;
const auto recentFilesKey = "ui/recentFiles"_L1;
const auto geometryKey = "ui/geometry"_L1;
const auto stateKey = "ui/windowState"_L1;
const auto splitterKey = "ui/centralSplitter"_L1;

const QString initialScript = u"// Count system calls by process until you press Stop.\n"
                              "tracepoint:raw_syscalls:sys_enter\n"
                              "{\n"
                              "    @syscalls[comm] = count();\n"
                              "}\n"_s;
} // namespace

MainWindow::MainWindow(Engine *engine, McpServer *server, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_server(server)
    , m_editor(new ScriptEditor(this))
    , m_analysisLabel(new QLabel(this))
    , m_runView(new RunView(engine ? engine->runs() : nullptr, this))
    , m_privilegeLabel(new QLabel(this))
    , m_versionLabel(new QLabel(this))
    , m_endpointLabel(new QLabel(this))
    , m_clientsLabel(new QLabel(this))
    , m_pendingLabel(new QLabel(this))
{
    setObjectName(u"MainWindow"_s);
    setWindowIcon(QIcon::fromTheme(u"org.tracedesk.TraceDesk"_s, QIcon::fromTheme(u"utilities-system-monitor"_s)));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);

    if (m_engine)
        m_editor->setAnalyzer(m_engine->analyzer());
    m_editor->setPlainText(initialScript);
    m_editor->document()->setModified(false);
    m_editor->setAccessibleName(tr("Script editor"));
    m_analysisLabel->setContentsMargins(4, 2, 4, 2);

    auto *editorArea = new QWidget(this);
    auto *editorLayout = new QVBoxLayout(editorArea);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    editorLayout->setSpacing(0);
    editorLayout->addWidget(m_editor, 1);
    editorLayout->addWidget(m_analysisLabel);

    auto *central = new QSplitter(Qt::Vertical, this);
    central->setObjectName(u"centralSplitter"_s);
    central->addWidget(editorArea);
    central->addWidget(m_runView);
    central->setStretchFactor(0, 2);
    central->setStretchFactor(1, 3);
    central->setChildrenCollapsible(false);
    setCentralWidget(central);

    createDocks();
    createActions();
    createStatusBar();

    connect(m_editor->document(), &QTextDocument::modificationChanged, this, &MainWindow::updateTitle);
    // The editor keeps the line under it (the first error, a click away) and completes from the
    // engine's probe catalog and the installed bpftrace's builtins.
    m_editor->setStatusLabel(m_analysisLabel);
    if (m_engine) {
        m_editor->setCatalog(m_engine->catalog());
        m_editor->setCapabilities(m_engine->capabilities());
    }
    connect(m_runs, &RunsPanel::currentRunChanged, this, [this](Run *run) {
        m_runView->setRun(run);
        updateRunActions();
    });
    connect(m_probes, &ProbeBrowser::insertRequested, this,
        [this](const QString &probe) { m_editor->insertProbeSkeleton(probe); });

    if (m_engine) {
        connect(m_engine->runs(), &RunManager::runStateChanged, this, [this] {
            updateRunActions();
            updateStatus();
        });
        connect(m_engine->runs(), &RunManager::runAdded, this, [this](Run *run) {
            // The person's own runs come to the front; an AI's run only once approved.
            if (run->origin() == RunOrigin::Person)
                m_runs->selectRun(run);
        });
        connect(m_engine->capabilities(), &Capabilities::ready, this, &MainWindow::updateStatus);
        connect(m_engine->capabilities(), &Capabilities::failed, this, &MainWindow::updateStatus);
    }
    if (m_server)
        connect(m_server, &McpServer::clientsChanged, this, &MainWindow::updateStatus);

    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        m_tray = new QSystemTrayIcon(windowIcon(), this);
        m_tray->setToolTip(tr("TraceDesk"));
        connect(m_tray, &QSystemTrayIcon::activated, this, &MainWindow::raiseAndActivate);
        connect(m_tray, &QSystemTrayIcon::messageClicked, this, &MainWindow::raiseAndActivate);
        m_tray->show();
    }

    auto *statusTimer = new QTimer(this);
    statusTimer->setInterval(2000);
    connect(statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);
    statusTimer->start();

    resize(1400, 900);
    restoreLayout();
    updateTitle();
    updateStatus();
    updateRunActions();
    updateRecentMenu();
    m_editor->analyzeNow();
}

MainWindow::~MainWindow() = default;

void MainWindow::createDocks()
{
    auto makeDock = [this](const QString &title, const QString &name, QWidget *widget) {
        auto *dock = new QDockWidget(title, this);
        dock->setObjectName(name); // saveState() keys docks by object name
        dock->setWidget(widget);
        return dock;
    };
    m_probes = new ProbeBrowser(m_engine ? m_engine->catalog() : nullptr, this);
    m_runs = new RunsPanel(m_engine ? m_engine->runs() : nullptr, this);
    m_approvals = new ApprovalPanel(
        m_engine ? m_engine->approvals() : nullptr, m_engine ? m_engine->analyzer() : nullptr, this);
    m_endpoint = new EndpointPanel(m_server, this);

    m_probeDock = makeDock(tr("Probes"), u"probesDock"_s, m_probes);
    m_runsDock = makeDock(tr("Runs"), u"runsDock"_s, m_runs);
    m_approvalDock = makeDock(tr("Approvals"), u"approvalsDock"_s, m_approvals);
    m_endpointDock = makeDock(tr("MCP endpoint"), u"endpointDock"_s, m_endpoint);

    addDockWidget(Qt::LeftDockWidgetArea, m_probeDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_runsDock);
    splitDockWidget(m_probeDock, m_runsDock, Qt::Vertical);
    addDockWidget(Qt::RightDockWidgetArea, m_approvalDock);
    addDockWidget(Qt::RightDockWidgetArea, m_endpointDock);
    tabifyDockWidget(m_approvalDock, m_endpointDock);
    m_approvalDock->raise();

    connect(m_approvals, &ApprovalPanel::requestArrived, this, &MainWindow::notifyRequest);
    connect(m_approvals, &ApprovalPanel::pendingCountChanged, this, [this](int count) {
        m_approvalDock->setWindowTitle(count ? tr("Approvals (%1)").arg(count) : tr("Approvals"));
        updateStatus();
    });
    if (m_approvals->pendingCount())
        m_approvalDock->setWindowTitle(tr("Approvals (%1)").arg(m_approvals->pendingCount()));
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newAction = file->addAction(QIcon::fromTheme(u"document-new"_s), tr("&New"), this, &MainWindow::newScript);
    newAction->setShortcut(QKeySequence::New);
    QAction *open = file->addAction(QIcon::fromTheme(u"document-open"_s), tr("&Open…"), this, &MainWindow::openDialog);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(QIcon::fromTheme(u"document-open-recent"_s), tr("Open &Recent"));
    QAction *saveAction = file->addAction(QIcon::fromTheme(u"document-save"_s), tr("&Save"), this, &MainWindow::save);
    saveAction->setShortcut(QKeySequence::Save);
    QAction *saveAsAction
        = file->addAction(QIcon::fromTheme(u"document-save-as"_s), tr("Save &As…"), this, &MainWindow::saveAs);
    saveAsAction->setShortcut(QKeySequence::SaveAs);
    file->addSeparator();
    QAction *quit = file->addAction(QIcon::fromTheme(u"application-exit"_s), tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    // The editor's own actions, with their standard shortcuts.
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->addActions(m_editor->editActions());

    m_examplesMenu = menuBar()->addMenu(tr("E&xamples"));
    QMap<QString, QMenu *> categories;
    for (const Example &example : ExampleLibrary::all()) {
        const QString category = example.category.isEmpty() ? tr("other") : example.category;
        QMenu *&menu = categories[category];
        if (!menu) {
            QString title = category;
            title[0] = title[0].toUpper();
            menu = m_examplesMenu->addMenu(title);
        }
        QAction *action = menu->addAction(example.title.isEmpty() ? example.name : example.title);
        action->setToolTip(example.description);
        action->setStatusTip(example.description);
        const QString script = example.script;
        const QString name = example.name;
        connect(action, &QAction::triggered, this, [this, script, name] {
            setEditorText(script);
            m_currentFile.clear();
            m_editor->document()->setModified(true);
            statusBar()->showMessage(tr("Loaded the example %1").arg(name), 4000);
            updateTitle();
        });
    }
    m_examplesMenu->setEnabled(!ExampleLibrary::all().isEmpty());

    QMenu *runMenu = menuBar()->addMenu(tr("&Run"));
    m_runAction = runMenu->addAction(
        QIcon::fromTheme(u"media-playback-start"_s), tr("&Run Script"), this, [this] { runScript(); });
    m_runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_stopAction
        = runMenu->addAction(QIcon::fromTheme(u"media-playback-stop"_s), tr("&Stop"), this, &MainWindow::stopRun);
    m_stopAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    runMenu->addSeparator();
    QAction *check = runMenu->addAction(
        QIcon::fromTheme(u"tools-check-spelling"_s), tr("&Check Script"), m_editor, &ScriptEditor::analyzeNow);
    check->setShortcut(QKeySequence(Qt::Key_F7));
    runMenu->addAction(
        QIcon::fromTheme(u"document-save-as"_s), tr("Export &Output…"), m_runView, &RunView::exportOutput);
    runMenu->addAction(QIcon::fromTheme(u"document-save-as"_s), tr("Export &Maps…"), m_runView, &RunView::exportMaps);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : { m_probeDock, m_runsDock, m_approvalDock, m_endpointDock })
        m_viewMenu->addAction(dock->toggleViewAction());
    m_probeDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::SHIFT | Qt::Key_P));
    m_approvalDock->toggleViewAction()->setShortcut(QKeySequence(Qt::ALT | Qt::SHIFT | Qt::Key_A));
    m_viewMenu->addSeparator();
    QAction *focusFilter = m_viewMenu->addAction(tr("&Find Probe"), this, [this] {
        m_probeDock->show();
        m_probeDock->raise();
        m_probes->filterEdit()->setFocus();
        m_probes->filterEdit()->selectAll();
    });
    focusFilter->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    m_viewMenu->addAction(tr("&Reset Layout"), this, [this] {
        QSettings settings;
        settings.remove(stateKey);
        removeDockWidget(m_probeDock);
        removeDockWidget(m_runsDock);
        removeDockWidget(m_approvalDock);
        removeDockWidget(m_endpointDock);
        addDockWidget(Qt::LeftDockWidgetArea, m_probeDock);
        addDockWidget(Qt::LeftDockWidgetArea, m_runsDock);
        splitDockWidget(m_probeDock, m_runsDock, Qt::Vertical);
        addDockWidget(Qt::RightDockWidgetArea, m_approvalDock);
        addDockWidget(Qt::RightDockWidgetArea, m_endpointDock);
        tabifyDockWidget(m_approvalDock, m_endpointDock);
        for (QDockWidget *dock : { m_probeDock, m_runsDock, m_approvalDock, m_endpointDock })
            dock->show();
        m_approvalDock->raise();
    });

    QMenu *settingsMenu = menuBar()->addMenu(tr("&Settings"));
    QAction *configure = settingsMenu->addAction(
        QIcon::fromTheme(u"configure"_s), tr("&Configure TraceDesk…"), this, &MainWindow::showSettings);
    configure->setShortcut(QKeySequence::Preferences);
    if (configure->shortcut().isEmpty())
        configure->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Comma));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(
        QIcon::fromTheme(u"documentinfo"_s), tr("bpftrace &Capabilities…"), this, &MainWindow::showCapabilities);
    help->addSeparator();
    help->addAction(QIcon::fromTheme(u"help-about"_s), tr("&About TraceDesk"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createStatusBar()
{
    for (QLabel *label : { m_privilegeLabel, m_versionLabel, m_endpointLabel, m_clientsLabel, m_pendingLabel })
        label->setContentsMargins(6, 0, 6, 0);
    StatusColors::setTextRole(m_pendingLabel, StatusColors::Role::Neutral);
    QFont bold = m_pendingLabel->font();
    bold.setBold(true);
    m_pendingLabel->setFont(bold);
    statusBar()->addPermanentWidget(m_pendingLabel);
    statusBar()->addPermanentWidget(m_privilegeLabel);
    statusBar()->addPermanentWidget(m_versionLabel);
    statusBar()->addPermanentWidget(m_endpointLabel);
    statusBar()->addPermanentWidget(m_clientsLabel);
}

void MainWindow::updateStatus()
{
    if (m_engine) {
        m_privilegeLabel->setText(tr("Privileges: %1").arg(m_engine->privilege().description()));
        const QString problem = m_engine->privilege().problem();
        m_privilegeLabel->setToolTip(problem.isEmpty() ? m_engine->privilege().description() : problem);
        Capabilities *caps = m_engine->capabilities();
        if (caps->isReady())
            m_versionLabel->setText(tr("bpftrace %1").arg(caps->info().version));
        else if (!caps->errorString().isEmpty())
            m_versionLabel->setText(tr("bpftrace: unavailable"));
        else
            m_versionLabel->setText(tr("bpftrace: checking…"));
        m_versionLabel->setToolTip(caps->errorString());
    } else {
        m_privilegeLabel->setText(tr("No engine"));
        m_versionLabel->clear();
    }
    if (m_server) {
        const bool http = m_server->httpListening();
        m_endpointLabel->setText(http ? tr("MCP: socket + HTTP :%1").arg(m_server->httpPort()) : tr("MCP: socket"));
        m_endpointLabel->setToolTip(m_server->socketPath() + (http ? u'\n' + m_server->httpUrl() : QString()));
        const int clients = int(m_server->clients().size());
        m_clientsLabel->setText(tr("%n clients", "", clients));
    } else {
        m_endpointLabel->setText(tr("MCP: off"));
        m_clientsLabel->setText(tr("0 clients"));
    }
    const int pending = m_approvals ? m_approvals->pendingCount() : 0;
    m_pendingLabel->setText(pending ? tr("%n requests waiting", "", pending) : QString());
    m_pendingLabel->setVisible(pending > 0);
}

QString MainWindow::statusSummary() const
{
    QStringList parts;
    for (QLabel *label : { m_pendingLabel, m_privilegeLabel, m_versionLabel, m_endpointLabel, m_clientsLabel }) {
        if (!label->text().isEmpty())
            parts.append(label->text());
    }
    return parts.join(u" | "_s);
}

void MainWindow::notifyRequest(Run *run)
{
    m_approvalDock->show();
    m_approvalDock->raise();
    // The new request joins the queue; the one the person is reading stays shown. Switching to
    // every arrival would re-arm the buttons each time, so a client sending requests faster
    // than the arm delay could keep the person from deciding anything.
    updateStatus();
    if (!isActiveWindow() && m_tray && QSystemTrayIcon::supportsMessages()) {
        m_tray->showMessage(tr("%1 asks to run a bpftrace program").arg(InertText::line(run->client().displayName())),
            run->reason().isEmpty() ? tr("Open TraceDesk to approve or deny it.") : InertText::line(run->reason()),
            QSystemTrayIcon::Warning, 15000);
    }
    QApplication::alert(this);
}

void MainWindow::setEditorText(const QString &text)
{
    // Replace through the cursor so that Undo brings the previous script back.
    QTextCursor cursor(m_editor->document());
    cursor.beginEditBlock();
    cursor.select(QTextCursor::Document);
    cursor.insertText(text);
    cursor.endEditBlock();
    m_editor->moveCursor(QTextCursor::Start);
    m_editor->analyzeNow();
}

void MainWindow::newScript()
{
    setEditorText(QString());
    m_currentFile.clear();
    m_editor->document()->setModified(false);
    updateTitle();
}

bool MainWindow::openFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    if (file.size() > 4 * 1024 * 1024) {
        if (error)
            *error = tr("The file is larger than 4 MiB; that is not a bpftrace script.");
        return false;
    }
    setEditorText(QString::fromUtf8(file.readAll()));
    m_currentFile = QFileInfo(path).absoluteFilePath();
    m_editor->document()->setModified(false);
    addRecentFile(m_currentFile);
    updateTitle();
    return true;
}

bool MainWindow::saveFile(const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    file.write(m_editor->toPlainText().toUtf8());
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    m_currentFile = QFileInfo(path).absoluteFilePath();
    m_editor->document()->setModified(false);
    addRecentFile(m_currentFile);
    updateTitle();
    statusBar()->showMessage(tr("Saved %1").arg(m_currentFile), 3000);
    return true;
}

void MainWindow::openDialog()
{
    auto *dialog = new QFileDialog(this, tr("Open bpftrace script"), QFileInfo(m_currentFile).absolutePath(),
        tr("bpftrace scripts (*.bt);;All files (*)"));
    dialog->setAcceptMode(QFileDialog::AcceptOpen);
    dialog->setFileMode(QFileDialog::ExistingFile);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (!openFile(path, &error))
            UiHelpers::showWarning(this, tr("Open failed"), tr("Could not open %1: %2").arg(path, error));
    });
    dialog->open();
}

void MainWindow::save()
{
    if (m_currentFile.isEmpty()) {
        saveAs();
        return;
    }
    QString error;
    if (!saveFile(m_currentFile, &error))
        UiHelpers::showWarning(this, tr("Save failed"), tr("Could not save %1: %2").arg(m_currentFile, error));
}

void MainWindow::saveAs()
{
    auto *dialog = new QFileDialog(this, tr("Save bpftrace script"),
        m_currentFile.isEmpty() ? u"script.bt"_s : m_currentFile, tr("bpftrace scripts (*.bt);;All files (*)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"bt"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        QString error;
        if (!saveFile(path, &error))
            UiHelpers::showWarning(this, tr("Save failed"), tr("Could not save %1: %2").arg(path, error));
    });
    dialog->open();
}

QStringList MainWindow::recentFiles() const
{
    return QSettings().value(recentFilesKey).toStringList();
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings settings;
    QStringList files = settings.value(recentFilesKey).toStringList();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > maxRecentFiles)
        files.removeLast();
    settings.setValue(recentFilesKey, files);
    updateRecentMenu();
}

void MainWindow::updateRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString path = files.at(i);
        QAction *action = m_recentMenu->addAction(u"&%1 %2"_s.arg(i + 1).arg(QFileInfo(path).fileName()));
        action->setToolTip(path);
        connect(action, &QAction::triggered, this, [this, path] {
            QString error;
            if (!openFile(path, &error))
                UiHelpers::showWarning(this, tr("Open failed"), tr("Could not open %1: %2").arg(path, error));
        });
    }
    if (!files.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("&Clear List"), this, [this] {
            QSettings().remove(recentFilesKey);
            updateRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::updateTitle()
{
    const QString name = m_currentFile.isEmpty() ? tr("Untitled") : QFileInfo(m_currentFile).fileName();
    setWindowTitle(name + u"[*] — "_s + tr("TraceDesk"));
    setWindowModified(m_editor->document()->isModified());
}

Run *MainWindow::runScript()
{
    if (!m_engine)
        return nullptr;
    Run *run = m_engine->runs()->startPersonRun(m_editor->toPlainText());
    if (!run)
        return nullptr;
    m_runs->selectRun(run);
    m_runView->setRun(run);
    // Compile errors of this run belong under the editor's text while it is unchanged.
    const QString script = run->script();
    connect(run, &Run::diagnosticsChanged, m_editor, [this, run, script] {
        if (m_editor->toPlainText() == script)
            m_editor->setExternalDiagnostics(run->diagnostics());
    });
    m_editor->setExternalDiagnostics({});
    updateRunActions();
    return run;
}

void MainWindow::stopRun()
{
    if (!m_engine)
        return;
    Run *target = m_runView->run();
    if (!target || !(isActive(target->state()) || target->state() == RunState::PendingApproval)) {
        target = nullptr;
        const QList<Run *> runs = m_engine->runs()->runs();
        for (Run *run : runs) {
            if (run->origin() == RunOrigin::Person && isActive(run->state())) {
                target = run;
                break;
            }
        }
    }
    if (!target)
        return;
    QString error;
    if (!m_engine->runs()->stop(target->id(), &error))
        statusBar()->showMessage(error, 5000);
}

void MainWindow::updateRunActions()
{
    bool anyActive = false;
    if (m_engine)
        anyActive = m_engine->runs()->activeRunCount() > 0;
    m_runAction->setEnabled(m_engine != nullptr);
    m_stopAction->setEnabled(anyActive);
}

void MainWindow::showSettings()
{
    QSettings settings;
    const EngineConfig current
        = m_engine ? SettingsStore::readForEditing(settings, m_engine->config()) : SettingsStore::read(settings);
    auto *dialog = new SettingsDialog(current, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, current] {
        const EngineConfig chosen = dialog->settings();
        QSettings settings;
        SettingsStore::write(settings, chosen);
        if (m_engine)
            m_engine->applySettings(chosen);
        statusBar()->showMessage(SettingsStore::needsRestart(current, chosen)
                ? tr("Settings saved. Privilege and HTTP changes take effect after a restart.")
                : tr("Settings saved and applied."),
            6000);
    });
    dialog->open();
}

void MainWindow::showCapabilities()
{
    auto *dialog = new CapabilitiesDialog(m_engine ? m_engine->capabilities() : nullptr, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
}

void MainWindow::showAbout()
{
    auto *box = new QMessageBox(this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowTitle(tr("About TraceDesk"));
    box->setIconPixmap(windowIcon().pixmap(64, 64));
    box->setText(tr("<h3>TraceDesk %1</h3><p>A desktop tracing console for bpftrace, with an MCP endpoint "
                    "through which AI clients propose programs that you approve, edit or deny.</p>"
                    "<p>License: GPL-2.0-or-later</p>")
            .arg(QCoreApplication::applicationVersion().isEmpty() ? QStringLiteral(TRACEDESK_VERSION_STRING)
                                                                  : QCoreApplication::applicationVersion()));
    box->open();
}

void MainWindow::raiseAndActivate()
{
    show();
    setWindowState((windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    raise();
    activateWindow();
}

void MainWindow::saveLayout()
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState(layoutVersion));
    if (auto *splitter = qobject_cast<QSplitter *>(centralWidget()))
        settings.setValue(splitterKey, splitter->saveState());
}

void MainWindow::restoreLayout()
{
    QSettings settings;
    restoreGeometry(settings.value(geometryKey).toByteArray());
    m_layoutRestored = restoreState(settings.value(stateKey).toByteArray(), layoutVersion);
    if (auto *splitter = qobject_cast<QSplitter *>(centralWidget()))
        splitter->restoreState(settings.value(splitterKey).toByteArray());
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (m_shownOnce)
        return;
    m_shownOnce = true;
    if (m_layoutRestored)
        return;
    // Dock sizes only stick once the window has its real size; before that the layout squeezes
    // them back to their size hints. The left docks get room for the run list's columns.
    // The dock layout gets its first real geometry after this event, so size on the next turn.
    QTimer::singleShot(0, this, [this] {
        resizeDocks({ m_probeDock, m_approvalDock }, { 500, 440 }, Qt::Horizontal);
        resizeDocks({ m_probeDock, m_runsDock }, { 520, 300 }, Qt::Vertical);
    });
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_editor->document()->isModified() && !m_closeConfirmed) {
        // Ask without a nested event loop: refuse this close, close again once answered.
        event->ignore();
        auto *box = new QMessageBox(QMessageBox::Question, tr("Unsaved script"),
            tr("The script has unsaved changes. Close anyway?"), QMessageBox::Discard | QMessageBox::Cancel, this);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->setDefaultButton(QMessageBox::Cancel);
        connect(box, &QMessageBox::finished, this, [this, box](int) {
            if (box->clickedButton() == box->button(QMessageBox::Discard)) {
                m_closeConfirmed = true;
                close();
            }
        });
        box->open();
        return;
    }
    saveLayout();
    event->accept();
}
