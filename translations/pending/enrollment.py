"""English for the strings of quotas and enrollment (issue 3, second half)."""
T = {
    # navigation and overview
    "报名管理": "Enrollment",
    "我的报名": "My enrollments",
    "报名": "Enrollment",
    "报名审核": "Review entries",
    "名额分配": "Quotas",
    "个人报名": "Register yourself",
    "暂无报名。": "No entries yet.",
    # quota summary and table
    "分配名额": "Quota",
    "已通过": "Approved",
    "待审核": "Pending",
    "候补": "Waitlisted",
    "单位": "Unit",
    "占用公共名额": "On pool seats",
    "公共名额（未分配）": "Pool (unallocated)",
    "合计（计划人数%(n)s）": "Total (capacity %(n)s)",
    "剩余%(n)s": "%(n)s left",
    "导出名额汇总": "Export quota summary",
    "计划人数%(capacity)s人，已分配%(allocated)s人，公共名额%(pool)s个（已占用%(used)s个）。各单位名额合计不能超过计划人数。":
        "Capacity %(capacity)s, allocated %(allocated)s, pool %(pool)s (%(used)s taken). "
        "The units' quotas may not add up to more than the capacity.",
    "未使用": "Unused",
    "释放未使用名额": "Release unused seats",
    "保存名额分配": "Save quotas",
    "从公共名额分配": "Assign pool seats",
    "报名截止后，可把单位未使用的名额释放到公共名额，再分配给其他单位；该单位的候补学员按报名先后递补。":
        "After the registration deadline, release a unit's unused seats to the pool and assign "
        "them to another unit; that unit's waitlisted entries move up, first come first served.",
    "名额数": "Seats",
    "本单位名额": "Our unit's quota",
    "本单位名额用完后，新报名先占用公共名额（剩余%(n)s个），公共名额也用完时列入候补，按报名先后递补。":
        "Once the unit's quota is used, new entries take pool seats (%(n)s left); when the pool "
        "is used too they are waitlisted and move up first come, first served.",
    # entries
    "返回": "Back",
    "性别": "Gender",
    "身份证号": "ID card number",
    "资格等级": "Qualification",
    "社会工作年限": "Years in social work",
    "%(years)s年": "%(years)s years",
    "报名方式": "Entry type",
    "待单位确认": "awaiting the unit's confirmation",
    "备注": "Notes",
    "单位确认": "Unit confirms",
    "报名材料": "Registration materials",
    "删除": "Delete",
    "尚未上传材料。": "No materials uploaded yet.",
    "报名截止日期": "Registration deadline",
    "报名条件": "Eligibility",
    "不限": "Anyone",
    "男": "Male",
    "女": "Female",
    "未通过": "Rejected",
    "已退出": "Withdrawn",
    "单位推荐": "Nominated by unit",
    "按身份证号": "From the ID number",
    "资格证书编号": "Certificate number",
    "社会工作年限（年）": "Years in social work",
    # self-registration
    "您已报名本培训班，状态：%(status)s。": "You have enrolled in this class; status: %(status)s.",
    "本培训班当前不在报名期间。": "This class is not open for registration.",
    "个人报名须使用学员账户；请退出当前账户后报名，或由单位联系人推荐。":
        "Registering yourself needs a trainee account: log out first, or ask your unit contact "
        "to nominate you.",
    "个人报名占用所选单位的名额，须经单位联系人确认、承办方审核后生效。":
        "A self-registration counts against the chosen unit's quota and takes effect once the "
        "unit contact confirms it and the organizer approves it.",
    "报名人": "Registrant",
    "已有账户？": "Already have an account?",
    "登录后报名": "Log in to register",
    "设置登录密码": "Choose a password",
    "确认密码": "Confirm password",
    "提交报名": "Submit",
    # review
    "导出学员名单": "Export roster",
    "打印登录凭条": "Print login slips",
    "退回理由": "Reason for rejection",
    "通过所选": "Approve selected",
    "退回所选": "Reject selected",
    "选择": "Select",
    "年限": "Years",
    "通过": "Approve",
    "代单位确认": "Confirm for the unit",
    "退回": "Reject",
    "全部": "All",
    "请至少选择一条报名。": "Select at least one entry.",
    # unit contact
    "您的账户尚未关联单位，请联系管理员。":
        "Your account is not linked to a unit; please ask the administrator.",
    "本单位学员": "Our unit's trainees",
    "确认": "Confirm",
    "理由": "Reason",
    "本单位尚无报名。": "No entries from this unit yet.",
    "推荐学员": "Nominate a trainee",
    "推荐报名": "Nominate",
    "Excel名单导入": "Import an Excel roster",
    "下载模板，每行填写一名学员后上传。名单中任何一行有错误时不会导入任何学员。":
        "Download the template, fill in one trainee per row and upload it. If any row is wrong, "
        "nobody is imported.",
    "下载Excel模板": "Download the Excel template",
    "名单中有%(n)s处错误，未导入任何学员：": "The roster has %(n)s errors; nobody was imported:",
    "第%(row)s行：%(message)s": "Row %(row)s: %(message)s",
    "Excel名单（.xlsx）": "Excel roster (.xlsx)",
    "请选择文件。": "Choose a file.",
    "上传并导入": "Upload and import",
    # materials
    "材料类别": "Kind of material",
    "文件（PDF、JPG或PNG，不超过10MB）": "File (PDF, JPG or PNG, at most 10 MB)",
    "上传": "Upload",
    "其他材料": "Other material",
    # service messages
    "不符合报名条件（%(rule)s）：本人为%(qualification)s，社会工作年限%(years)s年。":
        "Not eligible (%(rule)s): the trainee is %(qualification)s with %(years)s years in "
        "social work.",
    "没有权限进行此操作。": "You are not allowed to do this.",
    "报名已于%(date)s截止。": "Registration closed on %(date)s.",
    "已结业或已归档的培训班不能再修改报名。":
        "Entries of a graduated or archived class can no longer change.",
    "该身份证号或手机号刚刚已被登记，请刷新后重试。":
        "This ID number or mobile number was registered a moment ago; reload and try again.",
    "该身份证号已注册账户，请登录后报名。":
        "This ID number already has an account; log in to register.",
    "该身份证号已登记，但手机号与登记的不一致，请联系承办方。":
        "This ID number is registered with a different mobile number; please contact the "
        "organizer.",
    "该手机号已注册账户，请登录后报名。": "This mobile number already has an account; log in to register.",
    "手机号%(mobile)s已登记为其他学员。": "Mobile number %(mobile)s is registered to another trainee.",
    "手机号%(mobile)s已被其他账户使用。": "Mobile number %(mobile)s belongs to another account.",
    "%(name)s已报名本培训班（%(status)s）。": "%(name)s has already enrolled in this class (%(status)s).",
    "%(name)s已报名本培训班。": "%(name)s has already enrolled in this class.",
    "只有学员账户可以个人报名。": "Only trainee accounts can register themselves.",
    "请填写个人信息。": "Please fill in your personal details.",
    "手机号须与本账户的手机号一致。": "The mobile number must be this account's mobile number.",
    "请设置登录密码。": "Please choose a password.",
    "已报名本培训班。": "Already enrolled in this class.",
    "该报名已经确认。": "This entry is already confirmed.",
    "该报名已结束，不能确认。": "This entry is closed and cannot be confirmed.",
    "请填写理由。": "Please give a reason.",
    "只有等待单位确认的报名才能由单位退回。":
        "A unit can only turn down entries awaiting its confirmation.",
    "%(name)s的报名不是待审核状态，不能通过。": "The entry of %(name)s is not pending and cannot be approved.",
    "%(name)s是个人报名，须先经单位联系人确认。":
        "%(name)s registered personally: the unit contact must confirm first.",
    "%(name)s的报名不是待审核或候补状态，不能退回。":
        "The entry of %(name)s is neither pending nor waitlisted and cannot be rejected.",
    "只能批量处理同一培训班的报名。": "Bulk actions work on entries of one class only.",
    "该报名已结束，不能退出。": "This entry is closed and cannot be withdrawn.",
    "请填写身份证号。": "Please enter the ID card number.",
    "身份证号应为18位（最后一位可以是X）：%(number)s":
        "An ID card number has 18 characters (the last may be X): %(number)s",
    "身份证号中的出生日期无效：%(number)s": "The birth date in the ID card number is invalid: %(number)s",
    "身份证号校验码错误：%(number)s": "The ID card number's check character is wrong: %(number)s",
    "已退出的报名不能再上传材料。": "A withdrawn entry takes no more materials.",
    "请选择材料类别。": "Choose the kind of material.",
    "请选择要上传的文件。": "Choose a file to upload.",
    "文件不能超过%(mb)sMB。": "The file may not exceed %(mb)s MB.",
    "只能上传PDF、JPG或PNG文件（按文件内容识别）。":
        "Only PDF, JPG or PNG files can be uploaded (judged by their content).",
    "每条报名最多上传%(n)s个文件。": "At most %(n)s files per entry.",
    "已结业或已归档的培训班不能再调整名额。":
        "Quotas of a graduated or archived class can no longer change.",
    "各单位名额合计%(total)s人，超过了计划人数%(capacity)s人。":
        "The quotas add up to %(total)s, more than the capacity of %(capacity)s.",
    "公共名额不足：已有%(used)s人超出本单位名额占用公共名额，调整后公共名额只有%(pool)s个。":
        "Not enough pool seats: %(used)s entries beyond their unit's quota hold pool seats, and "
        "the pool would have only %(pool)s.",
    "名额不能为负数：%(unit)s": "A quota cannot be negative: %(unit)s",
    "报名截止后才能释放未使用的名额。": "Unused seats can be released only after the registration deadline.",
    "%(unit)s没有未使用的名额。": "%(unit)s has no unused seats.",
    "请填写要分配的名额数（大于0）。": "Enter the number of seats to assign (more than 0).",
    "公共名额不足：最多还能给%(unit)s分配%(n)s个名额。":
        "Not enough pool seats: at most %(n)s more can go to %(unit)s.",
    "名单中有%(n)s处错误，未导入任何学员。": "The roster has %(n)s errors; nobody was imported.",
    "无法读取Excel文件，请使用下载的模板（.xlsx）填写。":
        "The Excel file cannot be read; please fill in the downloaded template (.xlsx).",
    "文件中没有学员数据。": "The file contains no trainees.",
    "第1行缺少表头：%(headers)s": "Row 1 lacks the headers: %(headers)s",
    "一次最多导入%(n)s名学员。": "At most %(n)s trainees per import.",
    "身份证号请以文本格式填写（数字格式会丢失末尾几位）。":
        "Enter the ID card number as text (as a number Excel loses the last digits).",
    "身份证号与第%(other)s行重复。": "Same ID card number as row %(other)s.",
    "手机号与第%(other)s行重复。": "Same mobile number as row %(other)s.",
    "性别应为“男”或“女”。": "Gender must be “男” (male) or “女” (female).",
    "未知的资格等级：%(value)s（应为无、助理社会工作师、社会工作师或高级社会工作师）":
        "Unknown qualification: %(value)s (use 无, 助理社会工作师, 社会工作师 or 高级社会工作师)",
    "社会工作年限应为0到%(max)s之间的整数。": "Years in social work must be a whole number from 0 to %(max)s.",
    "请填写姓名。": "Please enter the name.",
    "姓名过长。": "The name is too long.",
    "性别与身份证号不符。": "The gender does not match the ID card number.",
    "持有社会工作者职业资格的，请填写资格证书编号。":
        "Holders of a social-work qualification must give the certificate number.",
    "资格证书编号过长。": "The certificate number is too long.",
    # view messages
    "候补学员%(name)s（%(unit)s）已递补为待审核。":
        "Waitlisted %(name)s (%(unit)s) moved up and is now pending.",
    "已推荐%(name)s，状态：%(status)s。": "%(name)s nominated; status: %(status)s.",
    "已导入%(n)s名学员（其中候补%(w)s名）。": "%(n)s trainees imported (%(w)s waitlisted).",
    "已确认%(name)s的报名。": "The entry of %(name)s is confirmed.",
    "已退回%(name)s的个人报名。": "The self-registration of %(name)s was turned down.",
    "报名已提交（%(status)s），等待单位联系人确认和承办方审核。":
        "Registration submitted (%(status)s); it awaits your unit contact's confirmation and the "
        "organizer's review.",
    "%(name)s已退出本培训班。": "%(name)s has withdrawn from the class.",
    "材料已上传。": "Material uploaded.",
    "材料已删除。": "Material deleted.",
    "已通过%(n)s条报名。": "%(n)s entries approved.",
    "已退回%(n)s条报名。": "%(n)s entries rejected.",
    "名额分配已保存。": "Quotas saved.",
    "%(unit)s未使用的%(n)s个名额已释放到公共名额。": "%(n)s unused seats of %(unit)s released to the pool.",
    "已从公共名额分配%(n)s个名额给%(unit)s。": "%(n)s pool seats assigned to %(unit)s.",
}
