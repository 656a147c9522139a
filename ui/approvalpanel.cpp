// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui/approvalpanel.h"

#include "ui/runlistmodel.h"
#include "ui/scripteditor.h"
#include "ui/statuscolors.h"

#include "engine/analysissummary.h"
#include "engine/approvalqueue.h"
#include "engine/run.h"

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
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
    , m_countdown(new QLabel(this))
    , m_risk(new QLabel(this))
    , m_findings(new QLabel(this))
    , m_attachSummary(new QLabel(this))
    , m_attachToggle(new QToolButton(this))
    , m_attachList(new QListWidget(this))
    , m_unsafe(new QLabel(this))
    , m_script(new ScriptEditor(this))
    , m_message(new QLineEdit(this))
    , m_approve(makeButton(QIcon::fromTheme(u"dialog-ok-apply"_s), tr("&Approve"), this))
    , m_edit(makeButton(QIcon::fromTheme(u"document-edit"_s), tr("&Edit and approve…"), this))
    , m_deny(makeButton(QIcon::fromTheme(u"dialog-cancel"_s), tr("&Deny"), this))
    , m_session(makeButton(QIcon::fromTheme(u"security-medium"_s),
          tr("A&llow this exact script from this client for the session"), this))
    , m_error(new QLabel(this))
    , m_details(new QWidget(this))
    , m_idle(new QLabel(this))
{
    setAccessibleName(tr("Approval requests"));
    m_banner->setStyleSheet(StatusColors::badgeStyleSheet(StatusColors::Role::Neutral, palette(), u"6px"_s));
    m_banner->setAccessibleName(tr("Pending approvals"));
    m_queue->setAccessibleName(tr("Waiting requests"));
    m_queue->setMaximumHeight(96);
    m_queue->setSelectionMode(QAbstractItemView::SingleSelection);

    for (QLabel *label : { m_from, m_reason, m_findings, m_attachSummary, m_unsafe, m_error }) {
        label->setWordWrap(true);
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    }
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
    detailsLayout->addLayout(riskRow);
    detailsLayout->addLayout(attachRow);
    detailsLayout->addWidget(m_attachList);
    detailsLayout->addWidget(m_unsafe);
    detailsLayout->addWidget(m_script, 1);
    detailsLayout->addWidget(m_error);
    detailsLayout->addLayout(buttonRow);
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

    connect(m_attachToggle, &QToolButton::toggled, this, [this](bool shown) {
        m_attachList->setVisible(shown);
        m_attachToggle->setArrowType(shown ? Qt::DownArrow : Qt::RightArrow);
        m_attachToggle->setText(shown ? tr("Hide probes") : tr("Show probes"));
    });
    connect(m_queue, &QListWidget::currentRowChanged, this, [this](int row) {
        QListWidgetItem *item = m_queue->item(row);
        showRun(item ? item->data(Qt::UserRole).value<Run *>() : nullptr);
    });
    connect(m_approve, &QPushButton::clicked, this, [this] {
        if (m_editing && m_current && m_script->toPlainText() != m_current->script()) {
            const QString edited = m_script->toPlainText();
            decide([this, edited](
                       const QString &id, QString *error) { return m_approvals->approveEdited(id, edited, error); });
        } else {
            decide([this](const QString &id, QString *error) { return m_approvals->approve(id, error); });
        }
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
    QString text = run->client().displayName();
    if (!reason.isEmpty())
        text += u" — "_s + reason;
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
    connect(run, &Run::analysisChanged, this, [this, run] {
        for (int row = 0; row < m_queue->count(); ++row) {
            if (m_queue->item(row)->data(Qt::UserRole).value<Run *>() == run)
                m_queue->item(row)->setText(itemText(run));
        }
        if (run == m_current)
            updateAnalysis();
    });
    if (!m_current)
        m_queue->setCurrentItem(item);
    m_banner->setText(tr("%n AI requests waiting for your decision", "", m_queue->count()));
    m_banner->setVisible(true);
    m_queue->setVisible(m_queue->count() > 1);
    Q_EMIT pendingCountChanged(m_queue->count());
}

void ApprovalPanel::removeRequest(Run *run)
{
    disconnect(run, nullptr, this, nullptr);
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
    m_banner->setText(tr("%n AI requests waiting for your decision", "", m_queue->count()));
    m_queue->setVisible(m_queue->count() > 1);
    Q_EMIT pendingCountChanged(m_queue->count());
}

void ApprovalPanel::selectRun(Run *run)
{
    for (int row = 0; row < m_queue->count(); ++row) {
        if (m_queue->item(row)->data(Qt::UserRole).value<Run *>() == run)
            m_queue->setCurrentRow(row);
    }
}

void ApprovalPanel::showRun(Run *run)
{
    m_current = run;
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
        m_script->clear();
        return;
    }
    const ClientInfo client = run->client();
    QString from = tr("%1 asks to run a bpftrace program").arg(client.displayName());
    if (!client.transport.isEmpty())
        from += u' ' + tr("(over %1)").arg(client.transport);
    m_from->setText(from);
    m_reason->setText(run->reason().isEmpty() ? tr("Reason: (none given)") : tr("Reason: %1").arg(run->reason()));
    if (run->timeoutSeconds())
        m_reason->setText(
            m_reason->text() + u'\n' + tr("It would run for at most %n seconds.", "", *run->timeoutSeconds()));
    m_script->setPlainText(run->script());
    updateAnalysis();
    updateCountdown();
}

void ApprovalPanel::updateAnalysis()
{
    if (!m_current)
        return;
    const ScriptAnalysis analysis = m_current->analysis();
    m_risk->setText(AnalysisSummary::risk(analysis.risk));
    m_risk->setStyleSheet(StatusColors::badgeStyleSheet(riskRole(analysis.risk), palette(), u"4px 8px"_s));
    const QStringList findings = AnalysisSummary::findings(analysis);
    m_findings->setText(analysis.reasons().isEmpty() ? findings.value(0, AnalysisSummary::checking(analysis))
                                                     : u"• "_s + findings.join(u"\n• "_s));

    m_attachSummary->setText(AnalysisSummary::attachment(analysis));
    m_attachList->clear();
    m_attachList->addItems(
        analysis.attachCount >= 0 && !analysis.attachList.isEmpty() ? analysis.attachList : analysis.probeSpecs);
    m_attachToggle->setEnabled(m_attachList->count() > 0);
    if (analysis.unsafeBuiltins.isEmpty()) {
        m_unsafe->setVisible(false);
    } else {
        m_unsafe->setText(AnalysisSummary::unsafeBuiltins(analysis));
        setEmphasis(m_unsafe, true);
        m_unsafe->setVisible(true);
    }
    if (!m_editing)
        m_script->setExternalDiagnostics(analysis.diagnostics);
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
    m_approve->setText(m_editing ? tr("&Approve edited script") : tr("&Approve"));
    m_session->setEnabled(!m_editing);
    if (m_editing) {
        m_script->setFocus();
    } else if (m_current && m_script->toPlainText() != m_current->script()) {
        m_script->setPlainText(m_current->script());
    }
}

void ApprovalPanel::decide(const std::function<bool(const QString &id, QString *error)> &action)
{
    if (!m_current || !m_approvals)
        return;
    QString error;
    if (!action(m_current->id(), &error)) {
        m_error->setText(error);
        m_error->setVisible(true);
    }
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
