// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/approvalpanel.h"

#include "ui/runlistmodel.h"
#include "ui/scripteditor.h"
#include "ui/statuscolors.h"

#include "engine/analysissummary.h"
#include "engine/approvalqueue.h"
#include "engine/inerttext.h"
#include "engine/run.h"
#include "engine/scriptanalyzer.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTextBlock>
#include <QTextCursor>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace {
StatusColors::Role riskRole(RiskLevel level)
{
    switch (level) {
    case RiskLevel::Low:
        return StatusColors::Role::Positive;
    case RiskLevel::Medium:
        return StatusColors::Role::Neutral;
    case RiskLevel::High:
        break;
    }
    return StatusColors::Role::Negative;
}

// Low risk is only "fine" once bpftrace has vouched for it; until then it needs attention.
StatusColors::Role analysisRole(const ScriptAnalysis &analysis)
{
    if (analysis.risk == RiskLevel::Low && (!analysis.complete || !analysis.checked))
        return StatusColors::Role::Neutral;
    return riskRole(analysis.risk);
}

void setEmphasis(QWidget *widget, bool emphasised)
{
    QFont font = widget->font();
    font.setBold(emphasised);
    widget->setFont(font);
    if (emphasised)
        StatusColors::setTextRole(widget, StatusColors::Role::Negative);
    else
        StatusColors::clearTextRole(widget);
}

QPushButton *makeButton(const QIcon &icon, const QString &text, QWidget *parent)
{
    auto *button = new QPushButton(icon, text, parent);
    // Outside a dialog these are false already; being explicit documents the rule.
    button->setAutoDefault(false);
    button->setDefault(false);
    // A click never leaves the focus on a decision: Space must not decide the next request.
    // Tab still reaches the buttons for keyboard use.
    button->setFocusPolicy(Qt::TabFocus);
    return button;
}
} // namespace

ApprovalPanel::ApprovalPanel(ApprovalQueue *queue, ScriptAnalyzer *analyzer, QWidget *parent)
    : QWidget(parent)
    , m_approvals(queue)
    , m_analyzer(analyzer)
    , m_banner(new QLabel(this))
    , m_queue(new QListWidget(this))
    , m_from(new QLabel(this))
    , m_reason(new QLabel(this))
    , m_targets(new QLabel(this))
    , m_countdown(new QLabel(this))
    , m_risk(new QLabel(this))
    , m_findings(new QLabel(this))
    , m_attachSummary(new QLabel(this))
    , m_attachToggle(new QToolButton(this))
    , m_attachList(new QListWidget(this))
    , m_unsafe(new QLabel(this))
    , m_unchecked(new QLabel(this))
    , m_noTarget(new QLabel(this))
    , m_script(new ScriptEditor(this))
    , m_message(new QLineEdit(this))
    , m_approve(makeButton(QIcon::fromTheme(u"dialog-ok-apply"_s), tr("&Approve"), this))
    , m_edit(makeButton(QIcon::fromTheme(u"document-edit"_s), tr("&Edit and approve…"), this))
    , m_deny(makeButton(QIcon::fromTheme(u"dialog-cancel"_s), tr("&Deny"), this))
    , m_session(makeButton(QIcon::fromTheme(u"security-medium"_s),
          tr("A&llow this exact script from this client for the session"), this))
    , m_confirmRow(new QWidget(this))
    , m_confirmLabel(new QLabel(m_confirmRow))
    , m_confirmEdit(new QLineEdit(m_confirmRow))
    , m_confirm(makeButton(QIcon::fromTheme(u"dialog-warning"_s), tr("&Confirm"), m_confirmRow))
    , m_error(new QLabel(this))
    , m_details(new QWidget(this))
    , m_idle(new QLabel(this))
{
    setAccessibleName(tr("Approval requests"));
    m_banner->setAccessibleName(tr("Pending approvals"));
    m_queue->setAccessibleName(tr("Waiting requests"));
    m_queue->setMaximumHeight(96);
    m_queue->setSelectionMode(QAbstractItemView::SingleSelection);

    for (QLabel *label :
        { m_from, m_reason, m_targets, m_findings, m_attachSummary, m_unsafe, m_unchecked, m_noTarget, m_error }) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
    // Client text lands in these: a reason with <b>html</b> must read as what it is.
    for (QLabel *label : { m_banner, m_from, m_reason, m_targets, m_countdown, m_risk, m_findings, m_attachSummary,
             m_unsafe, m_unchecked, m_noTarget, m_error, m_idle, m_confirmLabel })
        label->setTextFormat(Qt::PlainText);
    setEmphasis(m_unchecked, true);
    m_unchecked->setVisible(false);
    StatusColors::setTextRole(m_noTarget, StatusColors::Role::Negative);
    setEmphasis(m_noTarget, true);
    m_noTarget->setAccessibleName(tr("Why this request cannot be approved"));
    m_noTarget->setVisible(false);

    // The instruction wraps above the field it asks to fill, so opening the second step never
    // widens the dock (at 1280x800 one line of it would push the other docks aside).
    m_confirmLabel->setWordWrap(true);
    m_confirmEdit->setAccessibleName(tr("Request id to confirm a high-risk approval"));
    m_confirmEdit->setMinimumWidth(m_confirmEdit->fontMetrics().horizontalAdvance(u"run-000000000000"_s) + 16);
    m_confirm->setAccessibleName(tr("Confirm the high-risk approval"));
    m_confirm->setToolTip(tr("Approve this high-risk script once the request id is typed"));
    m_confirm->setEnabled(false);
    auto *confirmLayout = new QVBoxLayout(m_confirmRow);
    confirmLayout->setContentsMargins(0, 0, 0, 0);
    confirmLayout->addWidget(m_confirmLabel);
    auto *confirmFieldLayout = new QHBoxLayout;
    confirmFieldLayout->addWidget(m_confirmEdit);
    confirmFieldLayout->addWidget(m_confirm);
    confirmFieldLayout->addStretch(1);
    confirmLayout->addLayout(confirmFieldLayout);
    m_confirmRow->setVisible(false);
    QFont bold = m_from->font();
    bold.setBold(true);
    m_from->setFont(bold);
    m_countdown->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
    m_risk->setAlignment(Qt::AlignCenter);
    m_risk->setMinimumWidth(110);
    // The badge shouts; the words stay the ones the status line and the terminal use.
    QFont badge = m_risk->font();
    badge.setCapitalization(QFont::AllUppercase);
    m_risk->setFont(badge);
    StatusColors::setTextRole(m_error, StatusColors::Role::Negative);
    m_error->setVisible(false);
    m_targets->setAccessibleName(tr("Targets it would run on"));
    m_targets->setVisible(false);

    m_attachToggle->setCheckable(true);
    m_attachToggle->setArrowType(Qt::RightArrow);
    m_attachToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_attachToggle->setText(tr("Show probes"));
    m_attachList->setVisible(false);
    m_attachList->setMaximumHeight(140);
    m_attachList->setAccessibleName(tr("Probes it attaches to"));

    m_script->setReadOnly(true);
    m_script->setLiveAnalysis(false);
    m_script->setAnalyzer(m_analyzer);
    m_script->setMinimumHeight(120);
    m_script->setAccessibleName(tr("Requested script"));

    m_message->setPlaceholderText(tr("Optional message to the client, sent with Deny"));
    m_message->setAccessibleName(tr("Deny message"));
    auto *messageLabel = new QLabel(tr("&Message:"), this);
    messageLabel->setBuddy(m_message);

    m_idle->setText(
        tr("No AI requests are waiting. When an MCP client asks to run a script, it appears here for your decision."));
    m_idle->setWordWrap(true);
    m_idle->setAlignment(Qt::AlignCenter);
    m_idle->setForegroundRole(QPalette::PlaceholderText);

    // Layout: who/why and countdown, risk badge with reasons, attach list, script, decision.
    auto *whoRow = new QHBoxLayout;
    whoRow->addWidget(m_from, 1);
    whoRow->addWidget(m_countdown);
    auto *riskRow = new QHBoxLayout;
    riskRow->addWidget(m_risk, 0, Qt::AlignTop);
    riskRow->addWidget(m_findings, 1);
    auto *attachRow = new QHBoxLayout;
    attachRow->addWidget(m_attachSummary, 1);
    attachRow->addWidget(m_attachToggle);
    auto *messageRow = new QHBoxLayout;
    messageRow->addWidget(messageLabel);
    messageRow->addWidget(m_message, 1);
    messageRow->addWidget(m_deny);
    auto *buttonRow = new QHBoxLayout;
    buttonRow->addWidget(m_approve);
    buttonRow->addWidget(m_edit);
    buttonRow->addWidget(m_session);
    buttonRow->addStretch(1);

    auto *detailsLayout = new QVBoxLayout(m_details);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addLayout(whoRow);
    detailsLayout->addWidget(m_reason);
    detailsLayout->addWidget(m_targets);
    detailsLayout->addLayout(riskRow);
    detailsLayout->addWidget(m_unchecked);
    detailsLayout->addWidget(m_noTarget);
    detailsLayout->addLayout(attachRow);
    detailsLayout->addWidget(m_attachList);
    detailsLayout->addWidget(m_unsafe);
    detailsLayout->addWidget(m_script, 1);
    detailsLayout->addWidget(m_error);
    detailsLayout->addLayout(buttonRow);
    detailsLayout->addWidget(m_confirmRow);
    detailsLayout->addLayout(messageRow);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addWidget(m_banner);
    layout->addWidget(m_queue);
    layout->addWidget(m_details, 1);
    layout->addWidget(m_idle, 1);

    // Reading order, then the decisions; Deny sits after its message.
    setTabOrder(m_queue, m_attachToggle);
    setTabOrder(m_attachToggle, m_script);
    setTabOrder(m_script, m_approve);
    setTabOrder(m_approve, m_edit);
    setTabOrder(m_edit, m_session);
    setTabOrder(m_session, m_message);
    setTabOrder(m_message, m_deny);
    setTabOrder(m_deny, m_confirmEdit);
    setTabOrder(m_confirmEdit, m_confirm);

    m_armTimer.setSingleShot(true);
    connect(&m_armTimer, &QTimer::timeout, this, &ApprovalPanel::arm);

    connect(m_attachToggle, &QToolButton::toggled, this, [this](bool shown) {
        m_attachList->setVisible(shown);
        m_attachToggle->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
        m_attachToggle->setText(shown ? tr("Hide probes") : tr("Show probes"));
    });
    connect(m_queue, &QListWidget::currentRowChanged, this, [this](int row) {
        QListWidgetItem *item = m_queue->item(row);
        showRun(item ? item->data(Qt::UserRole).value<Run *>() : nullptr);
    });
    connect(m_approve, &QPushButton::clicked, this, &ApprovalPanel::approveClicked);
    connect(m_confirmEdit, &QLineEdit::textChanged, this, &ApprovalPanel::updateButtons);
    connect(m_confirm, &QPushButton::clicked, this, [this] {
        if (m_confirmEdit->text().trimmed() != m_armedRunId)
            return;
        if (m_editing && m_script->toPlainText() != m_shownScript) {
            const QString edited = m_script->toPlainText();
            decide([this, edited](
                       const QString &id, QString *error) { return m_approvals->approveEdited(id, edited, error); });
            return;
        }
        decide([this](const QString &id, QString *error) { return m_approvals->approve(id, error); });
    });
    connect(m_edit, &QPushButton::clicked, this, [this] { setEditing(!m_editing); });
    connect(m_deny, &QPushButton::clicked, this, [this] {
        const QString message = m_message->text().trimmed();
        decide([this, message](const QString &id, QString *error) { return m_approvals->deny(id, message, error); });
    });
    connect(m_session, &QPushButton::clicked, this, [this] {
        decide([this](const QString &id, QString *error) { return m_approvals->approveForSession(id, error); });
    });
    // Deliberately nothing on returnPressed: Enter in the message field must not decide.

    m_countdownTimer.setInterval(1000);
    connect(&m_countdownTimer, &QTimer::timeout, this, &ApprovalPanel::updateCountdown);
    m_countdownTimer.start();

    if (m_approvals) {
        const QList<Run *> pending = m_approvals->pending();
        for (Run *run : pending)
            addRequest(run);
        connect(m_approvals, &ApprovalQueue::requestAdded, this, [this](Run *run) {
            addRequest(run);
            Q_EMIT requestArrived(run);
        });
        connect(m_approvals, &ApprovalQueue::requestResolved, this, &ApprovalPanel::removeRequest);
        // A change of the refusal disarms, which sets the buttons; no change leaves them right.
        connect(m_approvals, &ApprovalQueue::targetsChanged, this, &ApprovalPanel::updateNoTarget);
    }
    showRun(m_queue->count() ? m_queue->item(0)->data(Qt::UserRole).value<Run *>() : nullptr);
}

int ApprovalPanel::pendingCount() const
{
    return m_queue->count();
}

QString ApprovalPanel::itemText(Run *run) const
{
    QString reason = run->reason().simplified();
    if (reason.size() > 70)
        reason = reason.left(69) + u'…';
    QString text = InertText::line(run->client().displayName());
    if (!reason.isEmpty())
        text += u" — "_s + InertText::line(reason);
    const RiskLevel risk = run->analysis().risk;
    text += u"  ["_s + AnalysisSummary::risk(risk).toLower() + u']';
    return text;
}

void ApprovalPanel::addRequest(Run *run)
{
    for (int row = 0; row < m_queue->count(); ++row) {
        if (m_queue->item(row)->data(Qt::UserRole).value<Run *>() == run)
            return;
    }
    auto *item = new QListWidgetItem(itemText(run), m_queue);
    item->setData(Qt::UserRole, QVariant::fromValue(run));
    item->setIcon(QIcon::fromTheme(u"dialog-question"_s));
    // A fleet's targets answer one by one; the fleet relays each answer (RunManager), and
    // updateAnalysis() shows it in its target's row.
    connect(run, &Run::analysisChanged, this, [this, run] {
        for (int row = 0; row < m_queue->count(); ++row) {
            if (m_queue->item(row)->data(Qt::UserRole).value<Run *>() == run)
                m_queue->item(row)->setText(itemText(run));
        }
        if (run == m_current)
            updateAnalysis();
    });
    const bool listShown = !m_queue->isHidden();
    if (!m_current)
        m_queue->setCurrentItem(item);
    updateBanner();
    m_banner->setVisible(true);
    m_queue->setVisible(m_queue->count() > 1);
    // The list appearing pushes the buttons down, under wherever the pointer was.
    if (listShown != !m_queue->isHidden())
        disarm();
    Q_EMIT pendingCountChanged(m_queue->count());
}

void ApprovalPanel::removeRequest(Run *run)
{
    disconnect(run, nullptr, this, nullptr);
    const bool listShown = !m_queue->isHidden();
    for (int row = 0; row < m_queue->count(); ++row) {
        if (m_queue->item(row)->data(Qt::UserRole).value<Run *>() == run) {
            delete m_queue->takeItem(row);
            break;
        }
    }
    if (run == m_current || !m_current)
        showRun(m_queue->count() ? m_queue->item(0)->data(Qt::UserRole).value<Run *>() : nullptr);
    if (m_current) {
        for (int row = 0; row < m_queue->count(); ++row) {
            if (m_queue->item(row)->data(Qt::UserRole).value<Run *>() == m_current) {
                const QSignalBlocker blocker(m_queue);
                m_queue->setCurrentRow(row);
            }
        }
    }
    m_queue->setVisible(m_queue->count() > 1);
    if (listShown != !m_queue->isHidden())
        disarm();
    updateBanner();
    Q_EMIT pendingCountChanged(m_queue->count());
}

void ApprovalPanel::selectRun(Run *run)
{
    for (int row = 0; row < m_queue->count(); ++row) {
        if (m_queue->item(row)->data(Qt::UserRole).value<Run *>() == run)
            m_queue->setCurrentRow(row);
    }
}

void ApprovalPanel::setArmDelayMs(int ms)
{
    m_armDelayMs = std::max(0, ms);
}

void ApprovalPanel::showRun(Run *run)
{
    m_current = run;
    disarm();
    m_error->clear();
    m_error->setVisible(false);
    m_message->clear();
    setEditing(false);
    const bool has = run != nullptr;
    m_details->setVisible(has);
    m_idle->setVisible(!has);
    m_banner->setVisible(m_queue->count() > 0);
    m_queue->setVisible(m_queue->count() > 1);
    if (!run) {
        m_shownScript.clear();
        m_script->clear();
        updateBanner();
        return;
    }
    const ClientInfo client = run->client();
    QString from = tr("%1 asks to run a bpftrace program").arg(InertText::line(client.displayName()));
    if (!client.transport.isEmpty())
        from += u' ' + tr("(over %1)").arg(InertText::line(client.transport));
    m_from->setText(from);
    QString reason
        = run->reason().isEmpty() ? tr("Reason: (none given)") : tr("Reason: %1").arg(InertText::line(run->reason()));
    if (run->timeoutSeconds())
        reason += u'\n' + tr("It would run for at most %n seconds.", "", *run->timeoutSeconds());
    // Another machine is the person's to know before anything else about the request.
    if (!run->target().isEmpty())
        reason += u'\n' + tr("On target: %1").arg(InertText::line(run->target()));
    m_reason->setText(reason);
    m_shownScript = InertText::block(run->script());
    m_script->setPlainText(m_shownScript);
    m_shownRisk = -1;
    m_shownNoTarget.reset();
    updateAnalysis();
    updateCountdown();
}

void ApprovalPanel::updateAnalysis()
{
    if (!m_current)
        return;
    const ScriptAnalysis analysis = m_current->analysis();
    // A re-rating (still checking -> high risk, say) changes what the person is deciding on.
    const bool unchecked = AnalysisSummary::isUnchecked(analysis);
    if (m_shownRisk >= 0 && (m_shownRisk != int(analysis.risk) || m_shownUnchecked != unchecked))
        disarm();
    m_shownRisk = int(analysis.risk);
    m_shownUnchecked = unchecked;

    m_risk->setText(AnalysisSummary::risk(analysis.risk));
    m_risk->setStyleSheet(StatusColors::badgeStyleSheet(analysisRole(analysis), palette(), u"4px 8px"_s));
    const QStringList findings = AnalysisSummary::findings(analysis);
    m_findings->setText(
        InertText::block(analysis.reasons().isEmpty() ? findings.value(0, AnalysisSummary::checking(analysis))
                                                      : u"• "_s + findings.join(u"\n• "_s)));
    m_unchecked->setText(InertText::block(AnalysisSummary::unchecked(analysis))); // may quote the script
    m_unchecked->setVisible(unchecked);

    m_attachSummary->setText(InertText::block(AnalysisSummary::attachment(analysis)));
    m_attachList->clear();
    const QStringList probes
        = analysis.attachCount >= 0 && !analysis.attachList.isEmpty() ? analysis.attachList : analysis.probeSpecs;
    for (const QString &probe : probes)
        m_attachList->addItem(InertText::line(probe));
    m_attachToggle->setEnabled(m_attachList->count() > 0);
    if (analysis.unsafeBuiltins.isEmpty()) {
        m_unsafe->setVisible(false);
    } else {
        m_unsafe->setText(InertText::block(AnalysisSummary::unsafeBuiltins(analysis)));
        setEmphasis(m_unsafe, true);
        m_unsafe->setVisible(true);
    }
    if (!m_editing)
        markFlaggedLines(analysis);
    updateTargets();
    updateNoTarget();
    updateBanner();
    updateButtons();
}

void ApprovalPanel::updateNoTarget()
{
    const QString refusal = m_current && m_approvals ? m_approvals->launchRefusal(m_current) : QString();
    m_noTarget->setText(InertText::block(refusal));
    m_noTarget->setVisible(!refusal.isEmpty());
    // What the person decides on changed (only ever to "deny only"): disarm, as for a re-rating.
    const bool changed = m_shownNoTarget && *m_shownNoTarget != refusal;
    m_shownNoTarget = refusal;
    if (changed)
        disarm();
}

QString ApprovalPanel::noTargetText() const
{
    return m_noTarget->isHidden() ? QString() : m_noTarget->text();
}

void ApprovalPanel::updateTargets()
{
    if (!m_current || !m_current->isFleet()) {
        m_targets->clear();
        m_targets->setVisible(false);
        return;
    }
    // One decision covers exactly these targets: each with what its own bpftrace found there.
    const QList<Run *> &hosts = m_current->hostRuns();
    QStringList lines { tr("On %n targets; one decision covers exactly these:", "", int(hosts.size())) };
    for (const Run *host : hosts)
        lines.append(u"• "_s + InertText::line(AnalysisSummary::target(host->targetName(), host->analysis())));
    const QString text = lines.join(u'\n');
    // A target's answer may rewrap the lines and move the buttons: re-arm as for a re-rating.
    if (!m_targets->isHidden() && m_targets->text() != text)
        disarm();
    m_targets->setText(text);
    m_targets->setVisible(true);
}

void ApprovalPanel::markFlaggedLines(const ScriptAnalysis &analysis)
{
    // What bpftrace and the analysis say, inert (they quote the client's script), underlined with
    // a tooltip by the editor; each flagged line also gets a background in its risk's colour.
    QList<Diagnostic> markers;
    for (Diagnostic diagnostic : analysis.diagnostics) {
        diagnostic.message = InertText::line(diagnostic.message);
        markers.append(diagnostic);
    }
    m_flaggedLines.clear();
    QHash<int, RiskLevel> lineRisk;
    for (const Finding &finding : analysis.findings) {
        if (finding.line <= 0)
            continue;
        Diagnostic d;
        d.severity = finding.level == RiskLevel::Low ? Diagnostic::Severity::Note : Diagnostic::Severity::Warning;
        d.line = finding.line;
        d.message = tr("%1 risk: %2").arg(riskLevelName(finding.level), InertText::line(finding.message));
        markers.append(d);
        lineRisk[finding.line] = std::max(lineRisk.value(finding.line, RiskLevel::Low), finding.level);
    }
    m_script->setExternalDiagnostics(markers);

    QTextDocument *document = m_script->document();
    // Formatting the shown text is no edit the person could undo.
    document->setUndoRedoEnabled(false);
    QTextCursor cursor(document);
    cursor.beginEditBlock();
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next()) {
        const int line = block.blockNumber() + 1;
        QTextBlockFormat format = block.blockFormat();
        if (lineRisk.contains(line)) {
            QColor colour = StatusColors::fill(riskRole(lineRisk.value(line)), palette());
            colour.setAlpha(70);
            format.setBackground(colour);
            m_flaggedLines.append(line);
        } else if (format.hasProperty(QTextFormat::BackgroundBrush)) {
            format.clearBackground();
        } else {
            continue;
        }
        cursor.setPosition(block.position());
        cursor.setBlockFormat(format);
    }
    cursor.endEditBlock();
    document->setUndoRedoEnabled(true);
}

void ApprovalPanel::updateBanner()
{
    const int count = m_queue->count();
    m_banner->setText(tr("%n AI requests waiting for your decision", "", count));
    // The colour says how risky the request on show is.
    m_bannerRole = m_current ? analysisRole(m_current->analysis()) : StatusColors::Role::Neutral;
    m_banner->setStyleSheet(StatusColors::badgeStyleSheet(m_bannerRole, palette(), u"6px"_s));
}

bool ApprovalPanel::isHighRisk() const
{
    return m_current && m_current->analysis().risk == RiskLevel::High;
}

void ApprovalPanel::moveFocusOffDecisions()
{
    // The panel's focus child: what has the focus, or gets it back when the window is activated.
    QWidget *focus = focusWidget();
    for (QWidget *button : { static_cast<QWidget *>(m_approve), static_cast<QWidget *>(m_edit),
             static_cast<QWidget *>(m_deny), static_cast<QWidget *>(m_session), static_cast<QWidget *>(m_confirm),
             static_cast<QWidget *>(m_confirmEdit) }) {
        if (focus == button) {
            // The read-only script takes Space and Enter without deciding anything.
            m_script->setFocus(Qt::OtherFocusReason);
            return;
        }
    }
}

void ApprovalPanel::disarm()
{
    moveFocusOffDecisions();
    m_armedRunId.clear();
    m_confirmRow->setVisible(false);
    m_confirmEdit->clear();
    m_armTimer.stop();
    updateButtons();
    if (!m_current)
        return;
    if (m_armDelayMs == 0)
        arm();
    else
        m_armTimer.start(m_armDelayMs);
}

void ApprovalPanel::arm()
{
    m_armedRunId = m_current ? m_current->id() : QString();
    updateButtons();
}

void ApprovalPanel::updateButtons()
{
    const bool armed = m_current && !m_armedRunId.isEmpty() && m_current->id() == m_armedRunId;
    const bool high = isHighRisk();
    // The risk the person decides on is bpftrace's: approving waits until its check is in (or
    // has failed, which the panel says). Denying never waits.
    const bool analysed = m_current && (m_current->analysis().complete || !m_approvals || !m_approvals->analyzes());
    // A request whose target was removed can only be denied (the queue would refuse the rest);
    // an edit already open can still be cancelled.
    const bool runnable = m_shownNoTarget.value_or(QString()).isEmpty();
    m_approve->setEnabled(armed && analysed && runnable);
    m_edit->setEnabled(armed && (m_editing || (analysed && runnable)));
    m_deny->setEnabled(armed);
    if (m_editing)
        m_approve->setText(tr("&Approve edited script"));
    else
        m_approve->setText(high ? tr("&Approve high-risk script…") : tr("&Approve"));
    // A standing permission is never offered for high risk, and needs bpftrace's verdict. It
    // covers the script the client sent, so it has no place in an edit (hidden, the edit's wider
    // buttons also leave the row no wider, and the window does not grow).
    m_session->setVisible(!high && !m_editing);
    const QString refusal = m_current ? ApprovalQueue::sessionAllowRefusal(m_current) : QString();
    m_session->setEnabled(armed && !m_editing && refusal.isEmpty() && runnable);
    m_session->setToolTip(refusal);
    if (!high)
        m_confirmRow->setVisible(false);
    m_confirm->setEnabled(armed && high && runnable && m_confirmRow->isVisibleTo(this)
        && m_confirmEdit->text().trimmed() == m_armedRunId);
}

void ApprovalPanel::updateCountdown()
{
    if (!m_current || !m_approvals) {
        m_countdown->clear();
        return;
    }
    const QDateTime expires = m_approvals->expiresAt(m_current->id());
    if (!expires.isValid()) {
        m_countdown->clear();
        return;
    }
    const qint64 seconds = qMax<qint64>(0, QDateTime::currentDateTimeUtc().secsTo(expires));
    m_countdown->setText(tr("Expires in %1:%2").arg(int(seconds / 60)).arg(int(seconds % 60), 2, 10, QLatin1Char('0')));
    setEmphasis(m_countdown, seconds < 30);
}

void ApprovalPanel::setEditing(bool editing)
{
    m_editing = editing && m_current;
    m_script->setReadOnly(!m_editing);
    m_script->setLiveAnalysis(m_editing);
    m_edit->setText(m_editing ? tr("Cancel &edit") : tr("&Edit and approve…"));
    m_confirmRow->setVisible(false);
    if (m_editing) {
        m_script->setFocus();
    } else if (m_current && m_script->toPlainText() != m_shownScript) {
        m_script->setPlainText(m_shownScript);
        markFlaggedLines(m_current->analysis());
    }
    updateButtons();
}

void ApprovalPanel::approveClicked()
{
    if (!m_current)
        return;
    const bool edited = m_editing && m_script->toPlainText() != m_shownScript;
    // An edit of a high-risk script (one keystroke is an edit) or an edit that is itself high
    // risk takes the same second step as the script shown.
    const bool high
        = isHighRisk() || (edited && ScriptAnalyzer::analyzeText(m_script->toPlainText()).risk == RiskLevel::High);
    if (edited && !high) {
        const QString text = m_script->toPlainText();
        decide([this, text](const QString &id, QString *error) { return m_approvals->approveEdited(id, text, error); });
        return;
    }
    if (high) {
        // The second step: name the request, so the approval cannot be a reflex or a stray click.
        if (m_armedRunId.isEmpty())
            return;
        m_confirmLabel->setText(
            tr("This script is high risk. To approve it, type its request id, %1, and confirm:").arg(m_armedRunId));
        m_confirmEdit->clear();
        m_confirmRow->setVisible(true);
        m_confirmEdit->setFocus(Qt::OtherFocusReason);
        updateButtons();
        return;
    }
    decide([this](const QString &id, QString *error) { return m_approvals->approve(id, error); });
}

void ApprovalPanel::showError(const QString &error)
{
    m_error->setText(InertText::block(error));
    m_error->setVisible(true);
}

void ApprovalPanel::decide(const std::function<bool(const QString &id, QString *error)> &action)
{
    if (!m_current || !m_approvals)
        return;
    // The decision is for the request the buttons were armed for, and only while it is shown.
    const QString id = m_armedRunId;
    if (id.isEmpty() || m_current->id() != id) {
        showError(tr("The request changed before your decision reached it; nothing was decided. Look at the "
                     "request shown now."));
        return;
    }
    moveFocusOffDecisions();
    QString error;
    if (!action(id, &error))
        showError(error);
}

QString ApprovalPanel::riskText() const
{
    return m_risk->text();
}

QString ApprovalPanel::analysisText() const
{
    return m_findings->text() + u'\n' + m_attachSummary->text() + u'\n'
        + (m_unsafe->isHidden() ? QString() : m_unsafe->text());
}

QString ApprovalPanel::countdownText() const
{
    return m_countdown->text();
}

QString ApprovalPanel::errorText() const
{
    return m_error->text();
}

QString ApprovalPanel::fromText() const
{
    return m_from->text();
}

QString ApprovalPanel::reasonText() const
{
    return m_reason->text();
}

QString ApprovalPanel::targetsText() const
{
    return m_targets->isHidden() ? QString() : m_targets->text();
}

QString ApprovalPanel::uncheckedText() const
{
    return m_unchecked->isHidden() ? QString() : m_unchecked->text();
}
