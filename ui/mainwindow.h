// SPDX-License-Identifier: GPL-2.0-or-later
// The window: editor and selected run in the middle; probes, runs, approvals and the endpoint in docks.
#pragma once

#include <QMainWindow>
#include <QPointer>

#include <functional>

class ApprovalPanel;
class Engine;
class EndpointPanel;
class McpServer;
class ProbeBrowser;
class Run;
class RunView;
class RunsPanel;
class ScriptEditor;
class TargetSelector;
class TargetsPanel;
class QDockWidget;
class QLabel;
class QMenu;
class QMessageBox;
class QSystemTrayIcon;
class QTimer;
class QToolBar;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    /// `server` may be null (tests, or the endpoint failed to start).
    explicit MainWindow(Engine *engine, McpServer *server, QWidget *parent = nullptr);
    ~MainWindow() override;

    /// Shows, un-minimizes and raises the window (a second `tracedesk` start asks for this).
    void raiseAndActivate();

    /// Loads a .bt file into the editor; false with *error on failure.
    bool openFile(const QString &path, QString *error = nullptr);
    bool saveFile(const QString &path, QString *error = nullptr);
    QString currentFile() const { return m_currentFile; }
    QStringList recentFiles() const;

    /// Runs the editor's script as the person's own run (Run, Ctrl+R), on the target chosen
    /// beside Run.
    Run *runScript();
    /// Stops the selected run, or the newest active one (Stop).
    void stopRun();

    ScriptEditor *editor() const { return m_editor; }
    ProbeBrowser *probeBrowser() const { return m_probes; }
    RunsPanel *runsPanel() const { return m_runs; }
    RunView *runView() const { return m_runView; }
    ApprovalPanel *approvalPanel() const { return m_approvals; }
    EndpointPanel *endpointPanel() const { return m_endpoint; }
    TargetsPanel *targetsPanel() const { return m_targetsPanel; }
    /// Beside Run: where Run starts the script (this machine, a target or a group).
    TargetSelector *targetSelector() const { return m_targetSelector; }
    QDockWidget *approvalDock() const { return m_approvalDock; }
    QDockWidget *endpointDock() const { return m_endpointDock; }
    QDockWidget *targetsDock() const { return m_targetsDock; }
    QAction *runAction() const { return m_runAction; }
    QAction *stopAction() const { return m_stopAction; }
    QMenu *examplesMenu() const { return m_examplesMenu; }
    /// The status bar's pieces joined by " | " (tests).
    QString statusSummary() const;

    void saveLayout();
    void restoreLayout();
    /// View ▸ Reset Layout: the default geometry for the screen's free area (or `available`,
    /// for tests that play a 1280x800 screen), the default docks and their sizes.
    void resetLayout(const QRect &available = {});
    /// Whether resetLayout() is still waiting for the window's new size to size the docks.
    bool isApplyingDefaultLayout() const { return m_defaultLayoutSize.isValid(); }
    QToolBar *mainToolBar() const { return m_toolBar; }

    /// Icons from the desktop's theme, Breeze where none is configured (offscreen, bare X
    /// sessions), and the Breeze style where it is installed and nothing else was asked for.
    /// Call once after the QApplication exists.
    static void applyDesktopLook();

    /// Where unsaved text is kept between sessions: <state directory>/recovery.json (0600).
    QString recoveryPath() const { return m_recoveryPath; }
    /// Writes the recovery file now when the text is modified (SIGTERM, SIGINT, destruction).
    void writeRecoveryNow();
    /// The recovered text offered at start, or empty (tests).
    bool hasRecoveryOffer() const;
    QWidget *recoveryBar() const { return m_recoveryBar; }
    void restoreRecovery();
    void discardRecovery();

    /// The Save / Discard / Cancel question while one is open (tests answer it), else null.
    QMessageBox *pendingQuestion() const;

    /// New, Open, an example and Quit go through here: runs `proceed` at once when the text is
    /// unmodified, else after the person saved it or chose Discard; never after Cancel.
    void whenChangesSettled(const std::function<void()> &proceed);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void createActions();
    void createDocks();
    void createStatusBar();
    void setEditorText(const QString &text);
    void newScript();
    void openDialog();
    void saveAs();
    void save();
    void addRecentFile(const QString &path);
    void updateRecentMenu();
    void updateTitle();
    void updateStatus();
    void updateRunActions();
    /// The editor checks the script where Run would start it: the chosen target, every member
    /// of the chosen group.
    void updateEditorTargets();
    void showSettings();
    void showCapabilities();
    void showAbout();
    void notifyRequest(Run *run);
    void updateApprovalDock(int pending);
    void applyDefaultDockSizes();
    void loadExample(const QString &script, const QString &name);
    void saveAsThen(const std::function<void()> &afterSave);
    void scheduleRecovery();
    void offerRecovery();
    void removeRecovery();
    void showRunMenu(const QPoint &pos);
    void openRunInEditor(Run *run);
    void runAgain(Run *run);
    void deleteRun(Run *run);

    QPointer<Engine> m_engine;
    QPointer<McpServer> m_server;
    QString m_currentFile;
    bool m_closeConfirmed = false;
    bool m_layoutRestored = false; ///< a saved dock layout was applied; keep it on first show
    bool m_shownOnce = false;
    bool m_approvalAutoHidden = false; ///< hidden because nothing waits; shown again on a request
    int m_approvalWidth = 0; ///< the Approvals dock's width before it was hidden
    QSize m_defaultLayoutSize; ///< the size resetLayout() asked for, until the dock sizes are applied
    int m_defaultLayoutWaits = 0; ///< turns applyDefaultDockSizes() waited for that size
    int m_leftWidth = 0; ///< the left column's width before the Approvals dock came
    QString m_recoveryPath;
    QTimer *m_recoveryTimer = nullptr;
    QWidget *m_recoveryBar = nullptr;
    QLabel *m_recoveryLabel = nullptr;
    QString m_offeredText;
    QString m_offeredFile;
    QPointer<QWidget> m_question; ///< the QMessageBox (a QPointer needs the complete type)

    ScriptEditor *m_editor;
    QLabel *m_analysisLabel;
    RunView *m_runView;
    ProbeBrowser *m_probes = nullptr;
    RunsPanel *m_runs = nullptr;
    ApprovalPanel *m_approvals = nullptr;
    EndpointPanel *m_endpoint = nullptr;
    TargetsPanel *m_targetsPanel = nullptr;
    TargetSelector *m_targetSelector = nullptr;
    QDockWidget *m_probeDock = nullptr;
    QDockWidget *m_runsDock = nullptr;
    QDockWidget *m_approvalDock = nullptr;
    QDockWidget *m_endpointDock = nullptr;
    QDockWidget *m_targetsDock = nullptr;

    QAction *m_runAction = nullptr;
    QAction *m_stopAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_examplesMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QToolBar *m_toolBar = nullptr;

    QLabel *m_privilegeLabel;
    QLabel *m_versionLabel;
    QLabel *m_endpointLabel;
    QLabel *m_clientsLabel;
    QLabel *m_pendingLabel;
    QSystemTrayIcon *m_tray = nullptr;
};
