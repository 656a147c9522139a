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
#include "ui/targetselector.h"
#include "ui/targetspanel.h"
#include "ui/uihelpers.h"
#include "ui/uilogging.h"

#include "engine/analysissummary.h"
#include "engine/engine.h"
#include "engine/examplelibrary.h"
#include "engine/inerttext.h"
#include "engine/privatefiles.h"
#include "engine/targets/targetregistry.h"
#include "mcp/mcpserver.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMap>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QShowEvent>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStyle>
#include <QStyleFactory>
#include <QSystemTrayIcon>
#include <QTextCursor>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
// 2: the endpoint moved beside the probes, Approvals alone on the right; 3: Targets beside them
constexpr int layoutVersion = 3;
constexpr int recoveryDelayMs = 1500; // after the last keystroke: often enough, without writing per key
constexpr int maxRecentFiles = 8;
const auto recentFilesKey = "ui/recentFiles"_L1;
const auto geometryKey = "ui/geometry"_L1;
const auto stateKey = "ui/windowState"_L1;
const auto splitterKey = "ui/centralSplitter"_L1;

// Example categories are written in lower case; a few are acronyms.
QString categoryTitle(const QString &category)
{
    static const QStringList acronyms = { u"cpu"_s, u"io"_s, u"tcp"_s, u"udp"_s, u"vfs"_s, u"usdt"_s };
    if (acronyms.contains(category))
        return category.toUpper();
    QString title = category;
    title[0] = title[0].toUpper();
    return title;
}

/// The window's default size: most of the screen's free area, never more than it.
QRect defaultGeometry(const QRect &available)
{
    const QSize size(std::min(1600, available.width() * 94 / 100), std::min(1000, available.height() * 90 / 100));
    QRect rect(QPoint(), size);
    rect.moveCenter(available.center());
    return rect;
}

QRect defaultGeometry(const QScreen *screen)
{
    return defaultGeometry(screen ? screen->availableGeometry() : QRect(0, 0, 1280, 800));
}

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

    // Unsaved text of a session that did not end (a crash, a kill) is offered in this bar, which
    // leaves the window usable: nothing is restored or thrown away until the person says so.
    m_recoveryBar = new QFrame(this);
    m_recoveryBar->setObjectName(u"recoveryBar"_s);
    static_cast<QFrame *>(m_recoveryBar)->setFrameShape(QFrame::StyledPanel);
    m_recoveryBar->setAutoFillBackground(true);
    m_recoveryBar->setBackgroundRole(QPalette::ToolTipBase);
    m_recoveryLabel = new QLabel(m_recoveryBar);
    m_recoveryLabel->setTextFormat(Qt::PlainText);
    m_recoveryLabel->setForegroundRole(QPalette::ToolTipText);
    auto *restoreButton = new QPushButton(QIcon::fromTheme(u"document-revert"_s), tr("&Restore"), m_recoveryBar);
    restoreButton->setObjectName(u"restoreRecovery"_s);
    auto *discardButton = new QPushButton(QIcon::fromTheme(u"edit-delete"_s), tr("Disca&rd"), m_recoveryBar);
    discardButton->setObjectName(u"discardRecovery"_s);
    auto *barLayout = new QHBoxLayout(m_recoveryBar);
    barLayout->setContentsMargins(6, 4, 6, 4);
    auto *recoveryIcon = new QLabel(m_recoveryBar);
    recoveryIcon->setPixmap(QIcon::fromTheme(u"dialog-information"_s).pixmap(16, 16));
    barLayout->addWidget(recoveryIcon);
    barLayout->addWidget(m_recoveryLabel, 1);
    barLayout->addWidget(restoreButton);
    barLayout->addWidget(discardButton);
    connect(restoreButton, &QPushButton::clicked, this, &MainWindow::restoreRecovery);
    connect(discardButton, &QPushButton::clicked, this, &MainWindow::discardRecovery);
    m_recoveryBar->hide();

    auto *editorArea = new QWidget(this);
    auto *editorLayout = new QVBoxLayout(editorArea);
    editorLayout->setContentsMargins(0, 0, 0, 0);
    editorLayout->setSpacing(0);
    editorLayout->addWidget(m_recoveryBar);
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

    const QString stateDirectory = m_engine
        ? m_engine->config().stateDirectory
        : QStandardPaths::writableLocation(QStandardPaths::GenericStateLocation) + u"/tracedesk"_s;
    m_recoveryPath = stateDirectory + u"/recovery.json"_s;
    m_recoveryTimer = new QTimer(this);
    m_recoveryTimer->setSingleShot(true);
    m_recoveryTimer->setInterval(recoveryDelayMs);
    connect(m_recoveryTimer, &QTimer::timeout, this, &MainWindow::writeRecoveryNow);
    connect(m_editor->document(), &QTextDocument::contentsChanged, this, &MainWindow::scheduleRecovery);
    connect(m_editor->document(), &QTextDocument::modificationChanged, this, [this](bool modified) {
        // Saved, or undone back to what was saved: nothing left to recover.
        if (!modified && !hasRecoveryOffer())
            removeRecovery();
    });
    connect(m_runs, &RunsPanel::currentRunChanged, this, [this](Run *run) {
        m_runView->setRun(run);
        updateRunActions();
    });
    m_runs->view()->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_runs->view(), &QWidget::customContextMenuRequested, this, &MainWindow::showRunMenu);
    connect(m_runView, &RunView::openInEditorRequested, this, &MainWindow::openRunInEditor);
    connect(m_runView, &RunView::runAgainRequested, this, &MainWindow::runAgain);
    connect(m_runView, &RunView::deleteRequested, this, &MainWindow::deleteRun);
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
        // The person approved it to watch it: show it.
        connect(m_engine->approvals(), &ApprovalQueue::approved, this, [this](Run *run) { m_runs->selectRun(run); });
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

    setGeometry(defaultGeometry(screen()));
    restoreLayout();
    updateApprovalDock(m_approvals->pendingCount());
    offerRecovery();
    updateTitle();
    updateStatus();
    updateRunActions();
    updateRecentMenu();
    m_editor->analyzeNow();
}

MainWindow::~MainWindow()
{
    // The window goes without a close (SIGTERM, SIGINT, logout): keep what was not saved.
    writeRecoveryNow();
}

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
    m_targetsPanel = new TargetsPanel(m_engine ? m_engine->targets() : nullptr, this);
    if (m_engine)
        m_probes->setTargets(m_engine->targets());

    m_probeDock = makeDock(tr("Probes"), u"probesDock"_s, m_probes);
    m_runsDock = makeDock(tr("Runs"), u"runsDock"_s, m_runs);
    m_approvalDock = makeDock(tr("Approvals"), u"approvalsDock"_s, m_approvals);
    // The endpoint panel is tall; scrolled, it does not force its height on the left column
    // (the window must fit a 1280x800 screen).
    auto *endpointScroll = new QScrollArea(this);
    endpointScroll->setWidget(m_endpoint);
    endpointScroll->setWidgetResizable(true);
    endpointScroll->setFrameShape(QFrame::NoFrame);
    m_endpointDock = makeDock(tr("MCP endpoint"), u"endpointDock"_s, endpointScroll);
    m_targetsDock = makeDock(tr("Targets"), u"targetsDock"_s, m_targetsPanel);

    // Probes and the endpoint share the tall left column, the runs list sits under them, and
    // Approvals has the right edge to itself so that it can give its width back while nothing waits.
    addDockWidget(Qt::LeftDockWidgetArea, m_probeDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_runsDock);
    splitDockWidget(m_probeDock, m_runsDock, Qt::Vertical);
    addDockWidget(Qt::LeftDockWidgetArea, m_targetsDock);
    tabifyDockWidget(m_probeDock, m_targetsDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_endpointDock);
    tabifyDockWidget(m_probeDock, m_endpointDock);
    m_probeDock->raise();
    addDockWidget(Qt::RightDockWidgetArea, m_approvalDock);

    connect(m_approvals, &ApprovalPanel::requestArrived, this, &MainWindow::notifyRequest);
    connect(m_approvals, &ApprovalPanel::pendingCountChanged, this, [this](int count) {
        m_approvalDock->setWindowTitle(count ? tr("Approvals (%1)").arg(count) : tr("Approvals"));
        updateApprovalDock(count);
        updateStatus();
    });
    // The person closing the dock by hand is their choice; only our own hiding comes back.
    connect(m_approvalDock->toggleViewAction(), &QAction::triggered, this, [this] { m_approvalAutoHidden = false; });
    if (m_approvals->pendingCount())
        m_approvalDock->setWindowTitle(tr("Approvals (%1)").arg(m_approvals->pendingCount()));
}

void MainWindow::createActions()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *newAction = file->addAction(
        QIcon::fromTheme(u"document-new"_s), tr("&New"), this, [this] { whenChangesSettled([this] { newScript(); }); });
    newAction->setShortcut(QKeySequence::New);
    QAction *open = file->addAction(QIcon::fromTheme(u"document-open"_s), tr("&Open…"), this,
        [this] { whenChangesSettled([this] { openDialog(); }); });
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
            menu = m_examplesMenu->addMenu(categoryTitle(category));
        }
        QAction *action = menu->addAction(example.title.isEmpty() ? example.name : example.title);
        action->setToolTip(example.description);
        action->setStatusTip(example.description);
        const QString script = example.script;
        const QString name = example.name;
        connect(action, &QAction::triggered, this,
            [this, script, name] { whenChangesSettled([this, script, name] { loadExample(script, name); }); });
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

    m_toolBar = addToolBar(tr("Main Toolbar"));
    m_toolBar->setObjectName(u"mainToolBar"_s); // saveState() keys toolbars by object name
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->setMovable(false);
    m_toolBar->addAction(m_runAction);
    // Where Run starts the script, right beside it; compact, so the toolbar fits 1280 pixels.
    m_targetSelector = new TargetSelector(
        m_engine ? m_engine->targets() : nullptr, TargetSelector::Mode::TargetsAndGroups, m_toolBar);
    m_targetSelector->setObjectName(u"targetSelector"_s);
    m_toolBar->addWidget(m_targetSelector);
    connect(m_targetSelector, &TargetSelector::chosenChanged, this, &MainWindow::updateRunActions);
    connect(m_targetSelector, &TargetSelector::chosenChanged, this, &MainWindow::updateEditorTargets);
    // A group's members, or a target under the same name, can change without another choice.
    if (m_engine && m_engine->targets())
        connect(m_engine->targets(), &TargetRegistry::targetsChanged, this, &MainWindow::updateEditorTargets);
    m_toolBar->addAction(m_stopAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(open);
    m_toolBar->addAction(saveAction);
    m_toolBar->addSeparator();
    auto *examplesButton = new QToolButton(m_toolBar);
    examplesButton->setMenu(m_examplesMenu);
    examplesButton->setPopupMode(QToolButton::InstantPopup);
    examplesButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    // On the button only: a menu bar shows a menu with an icon as the icon alone.
    examplesButton->setIcon(QIcon::fromTheme(u"folder-documents"_s, QIcon::fromTheme(u"document-open-folder"_s)));
    examplesButton->setText(tr("Examples"));
    examplesButton->setToolTip(tr("Load one of the shipped example scripts"));
    examplesButton->setObjectName(u"examplesButton"_s);
    m_toolBar->addWidget(examplesButton);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    for (QDockWidget *dock : { m_probeDock, m_runsDock, m_approvalDock, m_targetsDock, m_endpointDock })
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
    m_viewMenu->addAction(QIcon::fromTheme(u"view-restore"_s), tr("&Reset Layout"), this, [this] { resetLayout(); });
    m_viewMenu->addAction(m_toolBar->toggleViewAction());

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
    updateApprovalDock(std::max(1, m_approvals->pendingCount()));
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

void MainWindow::loadExample(const QString &script, const QString &name)
{
    setEditorText(script);
    // The example is not the file that was open: Save must ask where it goes.
    m_currentFile.clear();
    m_editor->document()->setModified(true);
    statusBar()->showMessage(tr("Loaded the example %1").arg(name), 4000);
    updateTitle();
}

void MainWindow::whenChangesSettled(const std::function<void()> &proceed)
{
    if (!m_editor->document()->isModified()) {
        proceed();
        return;
    }
    if (m_question) // one question at a time; the open one decides
        return;
    // Asked without a nested event loop, so that SIGTERM, SIGINT or a logout still end the
    // app promptly while the question is open (the text then goes to the recovery file).
    const QString name = m_currentFile.isEmpty() ? tr("Untitled") : QFileInfo(m_currentFile).fileName();
    auto *box = new QMessageBox(QMessageBox::Question, tr("Unsaved script"),
        tr("The script “%1” has unsaved changes. Save them first?").arg(name),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, this);
    box->setWindowModality(Qt::WindowModal);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setDefaultButton(QMessageBox::Save);
    box->setEscapeButton(QMessageBox::Cancel);
    m_question = box;
    connect(box, &QMessageBox::finished, this, [this, box, proceed](int) {
        const QMessageBox::StandardButton answer = box->standardButton(box->clickedButton());
        if (answer == QMessageBox::Discard) {
            // Only the text of this session is discarded: one still on offer from a crash stays.
            if (!hasRecoveryOffer())
                removeRecovery();
            proceed();
        } else if (answer == QMessageBox::Save) {
            if (m_currentFile.isEmpty()) {
                saveAsThen(proceed);
                return;
            }
            QString error;
            if (saveFile(m_currentFile, &error))
                proceed();
            else
                UiHelpers::showWarning(this, tr("Save failed"), tr("Could not save %1: %2").arg(m_currentFile, error));
        }
    });
    box->open();
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
        saveAsThen({});
        return;
    }
    QString error;
    if (!saveFile(m_currentFile, &error))
        UiHelpers::showWarning(this, tr("Save failed"), tr("Could not save %1: %2").arg(m_currentFile, error));
}

void MainWindow::saveAs()
{
    saveAsThen({});
}

void MainWindow::saveAsThen(const std::function<void()> &afterSave)
{
    auto *dialog = new QFileDialog(this, tr("Save bpftrace script"),
        m_currentFile.isEmpty() ? u"script.bt"_s : m_currentFile, tr("bpftrace scripts (*.bt);;All files (*)"));
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"bt"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QFileDialog::fileSelected, this, [this, afterSave](const QString &path) {
        QString error;
        if (!saveFile(path, &error))
            UiHelpers::showWarning(this, tr("Save failed"), tr("Could not save %1: %2").arg(path, error));
        else if (afterSave)
            afterSave();
    });
    dialog->open();
}

QStringList MainWindow::recentFiles() const
{
    // Files moved or deleted since are not offered.
    QStringList files = QSettings().value(recentFilesKey).toStringList();
    files.removeIf([](const QString &path) { return !QFileInfo(path).isFile(); });
    return files;
}

void MainWindow::addRecentFile(const QString &path)
{
    QSettings settings;
    QStringList files = recentFiles();
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
            whenChangesSettled([this, path] {
                QString error;
                if (!openFile(path, &error))
                    UiHelpers::showWarning(this, tr("Open failed"), tr("Could not open %1: %2").arg(path, error));
            });
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
    const QStringList targets = m_targetSelector->chosenTargets();
    if (targets.isEmpty()) {
        statusBar()->showMessage(
            tr("The group %1 has no targets left to run on.").arg(m_targetSelector->currentName()), 6000);
        return nullptr;
    }
    // One target is a plain run there (this machine: the run without a target, as before there
    // were any); a group of several is a fleet run, one bpftrace per target, merged results.
    Run *run = nullptr;
    if (targets.size() > 1)
        run = m_engine->runs()->startPersonRun(m_editor->toPlainText(), std::nullopt, targets);
    else
        run = m_engine->runs()->startPersonRun(
            m_editor->toPlainText(), std::nullopt, targets.first() == Target::LocalName ? QString() : targets.first());
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

void MainWindow::updateEditorTargets()
{
    TargetRegistry *registry = m_engine ? m_engine->targets() : nullptr;
    const QStringList targets = m_targetSelector->chosenTargets();
    if (!registry || targets.isEmpty() || targets == QStringList { Target::LocalName }) {
        m_editor->setTargetAnalyzers({}, {});
        return;
    }
    QList<std::pair<QString, ScriptAnalyzer *>> analyzers;
    for (const QString &target : targets)
        analyzers.append({ target, registry->analyzer(target) });
    // As the selector shows it: "db1", "db (3 targets)".
    m_editor->setTargetAnalyzers(m_targetSelector->currentData(TargetSelector::ShortTextRole).toString(), analyzers);
}

void MainWindow::updateRunActions()
{
    bool anyActive = false;
    if (m_engine)
        anyActive = m_engine->runs()->activeRunCount() > 0;
    m_runAction->setEnabled(m_engine != nullptr);
    m_stopAction->setEnabled(anyActive);
    if (m_targetSelector)
        m_runAction->setToolTip(m_targetSelector->toolTip());
}

void MainWindow::showSettings()
{
    QSettings settings;
    // The dialog shows what is in force; what the command line set for this session is marked,
    // and saved only when the person changes it.
    const EngineConfig saved = SettingsStore::read(settings);
    const EngineConfig current = m_engine ? m_engine->config() : saved;
    auto *dialog = new SettingsDialog(current, this);
    dialog->setSaved(saved);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog, current] {
        const EngineConfig chosen = dialog->settings();
        QSettings settings;
        SettingsStore::write(settings, dialog->settingsToSave());
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
    // them back to their size hints. The dock layout gets its first real geometry after this
    // event, so size on the next turn.
    QTimer::singleShot(0, this, &MainWindow::applyDefaultDockSizes);
}

void MainWindow::applyDefaultDockSizes()
{
    // A window manager (and, on a busy machine, even the offscreen platform) applies a new
    // geometry some turns later: widths taken from the old size would stick. Wait a little
    // for the size asked for, then size with whatever the window was given.
    if (m_defaultLayoutSize.isValid() && size() != m_defaultLayoutSize && m_defaultLayoutWaits < 50) {
        ++m_defaultLayoutWaits;
        QTimer::singleShot(10, this, &MainWindow::applyDefaultDockSizes);
        return;
    }
    m_defaultLayoutSize = QSize();
    // The left column gets room for the probe tree and the run list's short columns; the
    // editor and the run view share what is left, the run view the larger part.
    const int left = std::clamp(width() * 30 / 100, 340, 520);
    m_approvalWidth = std::clamp(width() * 28 / 100, 340, 480);
    QList<QDockWidget *> docks { m_probeDock };
    QList<int> widths { left };
    if (m_approvalDock->isVisible()) {
        docks.append(m_approvalDock);
        widths.append(m_approvalWidth);
    }
    resizeDocks(docks, widths, Qt::Horizontal);
    m_probeDock->raise(); // the tab raised while the layout was rebuilt may not have stuck
    const int columnHeight = height() - menuBar()->height() - statusBar()->height() - m_toolBar->height();
    resizeDocks({ m_probeDock, m_runsDock }, { columnHeight * 55 / 100, columnHeight * 45 / 100 }, Qt::Vertical);
    if (auto *splitter = qobject_cast<QSplitter *>(centralWidget())) {
        const int total = splitter->height();
        splitter->setSizes({ total * 42 / 100, total - total * 42 / 100 });
    }
}

void MainWindow::resetLayout(const QRect &available)
{
    QSettings settings;
    settings.remove(stateKey);
    settings.remove(splitterKey);
    settings.remove(geometryKey);
    if (isMaximized() || isFullScreen())
        showNormal();
    const QRect geometry = available.isValid() ? defaultGeometry(available) : defaultGeometry(screen());
    setGeometry(geometry);
    m_defaultLayoutSize = geometry.size();
    m_defaultLayoutWaits = 0;
    for (QDockWidget *dock : { m_probeDock, m_runsDock, m_approvalDock, m_targetsDock, m_endpointDock }) {
        removeDockWidget(dock);
        dock->setFloating(false);
    }
    addDockWidget(Qt::LeftDockWidgetArea, m_probeDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_runsDock);
    splitDockWidget(m_probeDock, m_runsDock, Qt::Vertical);
    addDockWidget(Qt::LeftDockWidgetArea, m_targetsDock);
    tabifyDockWidget(m_probeDock, m_targetsDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_endpointDock);
    tabifyDockWidget(m_probeDock, m_endpointDock);
    addDockWidget(Qt::RightDockWidgetArea, m_approvalDock);
    for (QDockWidget *dock : { m_probeDock, m_runsDock, m_targetsDock, m_endpointDock })
        dock->show();
    m_probeDock->raise();
    addToolBar(Qt::TopToolBarArea, m_toolBar);
    m_toolBar->show();
    m_approvalDock->setVisible(m_approvals->pendingCount() > 0);
    m_approvalAutoHidden = m_approvals->pendingCount() == 0;
    // As on the first start: once the new geometry has reached the layout.
    QTimer::singleShot(0, this, &MainWindow::applyDefaultDockSizes);
}

void MainWindow::updateApprovalDock(int pending)
{
    // The Approvals dock takes its room from the editor and the run view (and, on a small
    // screen, from the left column), and gives it back when nothing waits.
    if (pending > 0 && m_approvalAutoHidden) {
        m_approvalAutoHidden = false;
        const int left = m_probeDock->width();
        m_leftWidth = left;
        m_approvalDock->show();
        // Once the shown dock is in the layout (next turn of the event loop).
        if (m_approvalWidth > 0 && isVisible()) {
            QTimer::singleShot(0, this, [this, left] {
                if (!m_approvalDock->isVisible())
                    return;
                // One at a time: a width the dock cannot take (below its minimum) would void both.
                resizeDocks({ m_probeDock }, { left }, Qt::Horizontal);
                resizeDocks({ m_approvalDock }, { m_approvalWidth }, Qt::Horizontal);
            });
        }
    } else if (pending == 0 && !m_approvalDock->isHidden() && !m_approvalDock->isFloating()) {
        // isHidden(), not isVisible(): before the window is first shown nothing is visible.
        // Nothing to decide: the editor and the run view get the width back until the next request.
        if (m_approvalDock->width() > 0 && isVisible())
            m_approvalWidth = m_approvalDock->width();
        m_approvalDock->hide();
        m_approvalAutoHidden = true;
        // The left column had to give way to the request on a small screen: give it back.
        if (isVisible() && m_leftWidth > 0) {
            QTimer::singleShot(0, this, [this] {
                if (!m_approvalDock->isVisible())
                    resizeDocks({ m_probeDock }, { m_leftWidth }, Qt::Horizontal);
            });
        }
    } else if (pending == 0 && m_approvalDock->isHidden()) {
        m_approvalAutoHidden = true;
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_editor->document()->isModified() && !m_closeConfirmed) {
        // Refuse this close and close again once answered (Save, or Discard).
        event->ignore();
        whenChangesSettled([this] {
            m_closeConfirmed = true;
            close();
        });
        return;
    }
    m_closeConfirmed = true; // saved or discarded: nothing for the recovery file
    saveLayout();
    event->accept();
}

void MainWindow::scheduleRecovery()
{
    if (m_editor->document()->isModified())
        m_recoveryTimer->start();
}

void MainWindow::writeRecoveryNow()
{
    m_recoveryTimer->stop();
    // A discarded or saved text has nothing to keep.
    if (m_closeConfirmed || !m_editor->document()->isModified())
        return;
    QString text = m_editor->toPlainText();
    if (hasRecoveryOffer()) {
        // The offer is not answered yet, and new text was typed: neither may be lost (a logout
        // now would end the app), so the file keeps both, the earlier text as comments below.
        text += u"\n\n// ---- "_s + tr("Unsaved text from an earlier session (its restore offer was not answered):")
            + u'\n';
        for (const QString &line : m_offeredText.split(u'\n'))
            text += u"// "_s + line + u'\n';
    }
    QString error;
    const QString dir = QFileInfo(m_recoveryPath).absolutePath();
    if (!PrivateFiles::ensureDirectory(dir, &error)) {
        qCWarning(lcUi) << "cannot keep unsaved text in" << dir << error;
        return;
    }
    QSaveFile file(m_recoveryPath);
    if (!file.open(QIODevice::WriteOnly) || !PrivateFiles::makeDescriptorPrivate(file.handle(), &error)) {
        qCWarning(lcUi) << "cannot write" << m_recoveryPath << file.errorString() << error;
        file.cancelWriting();
        return;
    }
    const QJsonObject recovery {
        { u"version"_s, 1 },
        { u"file"_s, m_currentFile },
        { u"savedAt"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODate) },
        { u"text"_s, text },
    };
    file.write(QJsonDocument(recovery).toJson());
    if (!file.commit())
        qCWarning(lcUi) << "cannot write" << m_recoveryPath << file.errorString();
}

void MainWindow::removeRecovery()
{
    m_recoveryTimer->stop();
    QFile::remove(m_recoveryPath);
}

bool MainWindow::hasRecoveryOffer() const
{
    return m_recoveryBar && !m_recoveryBar->isHidden();
}

void MainWindow::offerRecovery()
{
    QFile file(m_recoveryPath);
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QJsonObject recovery = QJsonDocument::fromJson(file.read(8 * 1024 * 1024)).object();
    if (!recovery.contains(u"text"_s)) {
        qCWarning(lcUi) << "ignoring an unreadable recovery file" << m_recoveryPath;
        return;
    }
    m_offeredText = recovery.value(u"text"_s).toString();
    m_offeredFile = recovery.value(u"file"_s).toString();
    const QDateTime when = QDateTime::fromString(recovery.value(u"savedAt"_s).toString(), Qt::ISODate).toLocalTime();
    const QString name = m_offeredFile.isEmpty() ? tr("an untitled script") : QFileInfo(m_offeredFile).fileName();
    m_recoveryLabel->setText(tr("TraceDesk ended without saving %1 (last kept %2). Restore the unsaved text?")
            .arg(name, QLocale().toString(when, QLocale::ShortFormat)));
    m_recoveryBar->setToolTip(m_offeredFile);
    m_recoveryBar->show();
}

void MainWindow::restoreRecovery()
{
    if (!hasRecoveryOffer())
        return;
    m_recoveryBar->hide();
    setEditorText(m_offeredText);
    m_currentFile = m_offeredFile;
    m_editor->document()->setModified(true);
    updateTitle();
    statusBar()->showMessage(tr("Restored the unsaved text"), 4000);
    writeRecoveryNow(); // the restored text is the one to keep now
}

void MainWindow::discardRecovery()
{
    if (!hasRecoveryOffer())
        return;
    m_recoveryBar->hide();
    removeRecovery();
    m_offeredText.clear();
    m_offeredFile.clear();
    // What was typed meanwhile is kept from now on.
    scheduleRecovery();
}

void MainWindow::applyDesktopLook()
{
    // Without a configured theme (offscreen, a bare X session) Qt finds no icons at all; Breeze
    // is what the Flatpak runtime and Debian ship (kf6-breeze-icon-theme).
    QIcon::setFallbackThemeName(u"breeze"_s);
    // Platforms without a theme of their own (offscreen) search only the resources: add the
    // XDG data directories' icon folders, as the desktops' platform themes do.
    QStringList searchPaths = QIcon::themeSearchPaths();
    const QStringList iconDirs
        = QStandardPaths::locateAll(QStandardPaths::GenericDataLocation, u"icons"_s, QStandardPaths::LocateDirectory);
    for (const QString &dir : iconDirs) {
        if (!searchPaths.contains(dir))
            searchPaths.append(dir);
    }
    QIcon::setThemeSearchPaths(searchPaths);
    if (QIcon::themeName().isEmpty() || QIcon::themeName() == "hicolor"_L1)
        QIcon::setThemeName(u"breeze"_s);
    // The desktop's style comes with its platform theme; where none chose one and Breeze is
    // installed, use it rather than Fusion. QT_STYLE_OVERRIDE and -style are left alone.
    if (qEnvironmentVariableIsEmpty("QT_STYLE_OVERRIDE") && !QCoreApplication::arguments().contains(u"-style"_s)) {
        const QString current = QApplication::style() ? QApplication::style()->name() : QString();
        if (current.compare(u"fusion"_s, Qt::CaseInsensitive) == 0
            || current.compare(u"windows"_s, Qt::CaseInsensitive) == 0) {
            if (QStyleFactory::keys().contains(u"Breeze"_s, Qt::CaseInsensitive))
                QApplication::setStyle(u"Breeze"_s);
        }
    }
}

QMessageBox *MainWindow::pendingQuestion() const
{
    return qobject_cast<QMessageBox *>(m_question.data());
}

void MainWindow::showRunMenu(const QPoint &pos)
{
    const QModelIndex index = m_runs->view()->indexAt(pos);
    Run *run = index.isValid() ? index.data(RunListModel::RunRole).value<Run *>() : nullptr;
    if (!run)
        return;
    m_runs->selectRun(run);
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    const QPointer<Run> target = run;
    const bool active = isActive(run->state()) || run->state() == RunState::PendingApproval;
    menu->addAction(QIcon::fromTheme(u"document-edit"_s), tr("Open in &Editor"), this, [this, target] {
        if (target)
            openRunInEditor(target);
    });
    menu->addAction(QIcon::fromTheme(u"view-refresh"_s), tr("Run &Again"), this, [this, target] {
        if (target)
            runAgain(target);
    });
    QAction *stop = menu->addAction(QIcon::fromTheme(u"media-playback-stop"_s), tr("&Stop"), this, [this, target] {
        if (target && m_engine)
            m_engine->runs()->stop(target->id());
    });
    stop->setEnabled(active && run->state() != RunState::Stopping);
    menu->addSeparator();
    menu->addAction(QIcon::fromTheme(u"document-save-as"_s), tr("Export &Output…"), m_runView, &RunView::exportOutput)
        ->setEnabled(run->totalLines() > 0);
    menu->addAction(QIcon::fromTheme(u"document-save-as"_s), tr("Export &Maps…"), m_runView, &RunView::exportMaps)
        ->setEnabled(!run->maps().isEmpty());
    menu->addSeparator();
    menu->addAction(QIcon::fromTheme(u"edit-delete"_s), tr("&Delete from History"), this,
            [this, target] {
                if (target)
                    deleteRun(target);
            })
        ->setEnabled(isTerminal(run->state()));
    menu->popup(m_runs->view()->viewport()->mapToGlobal(pos));
}

void MainWindow::openRunInEditor(Run *run)
{
    const QString script = run->script();
    const QString id = run->id();
    whenChangesSettled([this, script, id] {
        setEditorText(script);
        // A run's script is no file: Save asks where it goes, and the text is recoverable.
        m_currentFile.clear();
        m_editor->document()->setModified(true);
        updateTitle();
        statusBar()->showMessage(tr("Opened the script of %1").arg(id), 4000);
    });
}

void MainWindow::runAgain(Run *run)
{
    if (!m_engine)
        return;
    // The same program as the person's own run, where it ran: the person chose to start it.
    Run *again = run->isFleet() ? m_engine->runs()->startPersonRun(run->script(), std::nullopt, run->targets())
                                : m_engine->runs()->startPersonRun(run->script(), std::nullopt, run->target());
    if (again) {
        m_runs->selectRun(again);
        m_runView->setRun(again);
        updateRunActions();
    }
}

void MainWindow::deleteRun(Run *run)
{
    if (!m_engine)
        return;
    const QString id = run->id();
    QString error;
    if (m_engine->runs()->removeRun(id, &error))
        statusBar()->showMessage(tr("Deleted %1 from the history").arg(id), 4000);
    else
        statusBar()->showMessage(error, 5000);
}
